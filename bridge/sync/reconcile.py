"""The reconciliation: the whole upcoming window, to catch what polling cannot see.

A poll asks only for appointments updated since its watermark, and an appointment
removed upstream is listed by no query at all. So a reconciliation lists the whole
window and re-reads, one by one, the appointments we know in it that the listing left
out: removed, or moved out of the window.
"""

from __future__ import annotations

import structlog

from bridge.sync.listing import Listing, window_bounds
from bridge.sync.observations import current_state, record, record_listing
from bridge.sync.services import SyncServices

__all__ = ["agendas_to_read", "reconcile", "reconcile_one"]

log = structlog.get_logger(__name__)


def agendas_to_read(sv: SyncServices, agenda_id: int | None) -> tuple[int, ...]:
    """The one agenda asked for, or (None) every watched one."""
    return sv.account.agendas() if agenda_id is None else (agenda_id,)


def reconcile(sv: SyncServices, agenda_id: int | None) -> dict[str, dict[str, int]]:
    """Reconcile one agenda, or (None) every watched one."""
    return {str(agenda): reconcile_one(sv, agenda) for agenda in agendas_to_read(sv, agenda_id)}


def reconcile_one(sv: SyncServices, agenda_id: int) -> dict[str, int]:
    """Read the agenda's whole window, recheck what it no longer lists, move the
    watermark (a reconciliation has seen every change a poll would)."""
    listing = Listing(sv, agenda_id, None)
    events, seen = record_listing(sv, listing)
    start, end = window_bounds(listing.start, listing.end, sv.tz)
    missing = sv.plans.known_in(agenda_id, start, end) - seen
    events += sum(record(sv, [current_state(sv, agenda_id, gone)]) for gone in sorted(missing))
    sv.state.polled(agenda_id, listing.next_watermark(sv.state.watermark(agenda_id) or 0),
                    sv.clock.now())
    log.info("reconcile_done", agenda=agenda_id, seen=len(seen), missing=len(missing),
             events=events)
    return {"seen": len(seen), "missing": len(missing), "events": events}
