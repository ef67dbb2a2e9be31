"""The poll: what changed upstream since the watermark, one query per agenda.

The watermark moves only after a complete poll, so an upstream error mid-way leaves it
where it was and the retry reads the same changes again (recording them twice changes
nothing). An agenda never polled is read whole once, by a reconciliation.
"""

from __future__ import annotations

from datetime import UTC, datetime

import structlog

from bridge.sync.listing import Listing
from bridge.sync.observations import record_listing
from bridge.sync.reconcile import agendas_to_read, reconcile_one
from bridge.sync.services import SyncServices

__all__ = ["poll", "poll_one"]

log = structlog.get_logger(__name__)


def poll(sv: SyncServices, agenda_id: int | None) -> dict[str, dict[str, int]]:
    """Changes since the watermark, for one agenda or (None) every watched one."""
    return {str(agenda): poll_one(sv, agenda) for agenda in agendas_to_read(sv, agenda_id)}


def poll_one(sv: SyncServices, agenda_id: int) -> dict[str, int]:
    watermark = sv.state.watermark(agenda_id)
    if watermark is None:  # never polled: read the whole window once
        return reconcile_one(sv, agenda_id)
    listing = Listing(sv, agenda_id, datetime.fromtimestamp(watermark, UTC))
    events, seen = record_listing(sv, listing)
    # Only now, with every page read and recorded, does the watermark move.
    sv.state.polled(agenda_id, listing.next_watermark(watermark), sv.clock.now())
    log.info("poll_done", agenda=agenda_id, changed=len(seen), events=events)
    return {"changed": len(seen), "events": events}
