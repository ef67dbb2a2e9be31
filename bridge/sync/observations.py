"""Observed appointment states into the plan: one at a time, or a listing page by page.

Recording the same state twice changes nothing (the plan store's `supersedes`), which
is what makes every sync job safe to run again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import structlog

from bridge.booking import BookingClient, BookingNotFoundError
from bridge.domain.snapshot import Snapshot
from bridge.store.observation import Observation
from bridge.store.plan_store import PlanStore
from bridge.sync.after_loss import unseen_cancelled_since
from bridge.sync.listing import Listing
from bridge.sync.services import SyncServices
from bridge.sync.snapshots import observation_of, snapshot_of

__all__ = ["current_state", "record", "record_listing", "state_now"]

log = structlog.get_logger(__name__)


def record(sv: SyncServices, observed: Sequence[Snapshot | Observation]) -> int:
    """Record observations; returns the number of events they caused."""
    if not observed:
        return 0
    settings = sv.account.plan_settings()
    since = None if sv.epochs is None else unseen_cancelled_since(sv.epochs)
    if since is not None:
        settings = replace(settings, unseen_cancelled_since=since)
    changes = sv.plans.observe(observed, settings, sv.clock.now())
    for change in changes:
        for event in change.events:
            log.debug("appointment_event", kind=event.kind.value,
                      appointment=event.appointment_id)
    return sum(len(change.events) for change in changes)


def record_listing(sv: SyncServices, listing: Listing) -> tuple[int, set[int]]:
    """Record a listing page by page; returns (events, ids seen)."""
    events, seen = 0, set[int]()
    batch: list[Observation] = []
    for appointment in listing:
        batch.append(observation_of(appointment, listing.agenda_id))
        seen.add(appointment.id)
        if len(batch) >= listing.page_size:
            events += record(sv, batch)
            batch = []
    events += record(sv, batch)
    return events, seen


def state_now(booking: BookingClient, plans: PlanStore, appointment_id: int,
              agenda_id: int) -> Snapshot:
    """The appointment as the API has it now; once removed there, the last state we
    knew marked removed (or a tombstone, if we knew none). Shared by the sync jobs and
    the send job's re-read (`bridge.sending.still_wanted`)."""
    try:
        return snapshot_of(booking.get_appointment(appointment_id), agenda_id)
    except BookingNotFoundError:
        previous = plans.snapshot(appointment_id)
        return previous.as_removed() if previous else Snapshot.tombstone(appointment_id,
                                                                          agenda_id)


def current_state(sv: SyncServices, agenda_id: int, appointment_id: int) -> Snapshot:
    """`state_now` with this process's sync services."""
    return state_now(sv.booking, sv.plans, appointment_id, agenda_id)
