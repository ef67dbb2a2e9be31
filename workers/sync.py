"""Jobs that learn what changed upstream: one appointment, a customer, a poll, a reconciliation.

RQ stores these functions by dotted path, so they stay here with the same arguments;
the logic is in `bridge.sync`, run with this process's `SyncServices`. Each job is
safe to run twice (see `bridge.sync.poll`).

A poll or reconciliation job is queued once at a time: the ticker or a trigger claims
it (`PeriodicClaims`), and the job releases the claim as it starts, so a new trigger
may queue the next one while this one runs. `ALL_AGENDAS` as the agenda means every
watched agenda.

A read that finds no epoch (`bridge.sync.after_loss.SyncHeldBack`) records nothing: a
change notice's job raises it and is retried; a poll or reconciliation completes
without its result, since the ticker queues the next one anyway.
"""

from __future__ import annotations

from typing import Any

import structlog

from bridge.queueing.jobs import ALL_AGENDAS
from bridge.store.periodic_claims import PeriodicClaims
from bridge.sync import notices
from bridge.sync.after_loss import SyncHeldBack
from bridge.sync.poll import poll
from bridge.sync.reconcile import reconcile
from workers import runtime
from workers.tracing import traced

__all__ = ["ALL_AGENDAS", "forget_customer", "poll_agenda", "reconcile_agenda",
           "sync_appointment"]

log = structlog.get_logger(__name__)


@traced
def sync_appointment(
    agenda_id: int, appointment_id: int, confirmation_code: str | None = None
) -> dict[str, Any]:
    """A change notice: fetch the appointment's current state and plan from it."""
    sv = runtime.current().sync
    return notices.sync_appointment(sv, agenda_id, appointment_id, confirmation_code)


@traced
def forget_customer(customer_id: int) -> dict[str, Any]:
    """A customer changed upstream: drop what is cached about their contact details."""
    return notices.forget_customer(runtime.current().sync, customer_id)


@traced
def poll_agenda(agenda_id: int) -> dict[str, Any]:
    """Changes since the watermark, for one agenda or (ALL_AGENDAS) every watched one."""
    sv = runtime.current().sync
    sv.periodic_claims.release(PeriodicClaims.poll(agenda_id))
    try:
        return poll(sv, None if agenda_id == ALL_AGENDAS else agenda_id)
    except SyncHeldBack as exc:  # the next tick polls again: no retry to spend
        log.info("poll_held_back", why=str(exc))
        return {"held_back": str(exc)}


@traced
def reconcile_agenda(agenda_id: int) -> dict[str, Any]:
    """The whole upcoming window, to catch what polling cannot see (removals)."""
    sv = runtime.current().sync
    sv.periodic_claims.release(PeriodicClaims.RECONCILE)
    try:
        return reconcile(sv, None if agenda_id == ALL_AGENDAS else agenda_id)
    except SyncHeldBack as exc:  # the next interval reconciles again
        log.info("reconcile_held_back", why=str(exc))
        return {"held_back": str(exc)}
