"""Jobs that learn what changed upstream: one appointment, a poll, a reconciliation.

Each is safe to run twice: observing the same state again changes nothing (the
plan store's `supersedes`), and the poll watermark moves only after a complete
poll, so an upstream error mid-way leaves it where it was and the retry reads the
same changes again.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

import structlog

from bridge.booking import Appointment, BookingNotFoundError, Page
from bridge.booking.paging import iter_pages
from bridge.domain.snapshot import Snapshot
from bridge.queueing.jobs import ALL_AGENDAS
from bridge.store import keys
from bridge.store.observation import Observation
from bridge.sync.snapshots import observation_of, snapshot_of
from workers import runtime
from workers.runtime import Runtime
from workers.tracing import traced

__all__ = ["forget_customer", "poll_agenda", "reconcile_agenda", "sync_appointment"]

log = structlog.get_logger(__name__)

#: A poll's watermark is the API's own clock when it answered the poll's first page,
#: minus this many seconds: UpdateTime has one-second grain and a change may become
#: visible a little after its stamp. The next poll asks for changes after it, so a
#: quiet agenda costs one call that returns nothing, whatever happened long ago.
VISIBILITY_LAG_SECONDS = 10
PAGE_SIZE = 500


def _observe(rt: Runtime, observed: Sequence[Snapshot | Observation]) -> int:
    """Record observations; returns the number of events they caused."""
    if not observed:
        return 0
    changes = rt.plans.observe(observed, rt.plan_settings(), rt.clock.now())
    for change in changes:
        for event in change.events:
            log.debug("appointment_event", kind=event.kind.value,
                     appointment=event.appointment_id)
    return sum(len(change.events) for change in changes)


@traced
def sync_appointment(
    agenda_id: int, appointment_id: int, confirmation_code: str | None = None
) -> dict[str, Any]:
    """A change notice: fetch the appointment's current state and plan from it."""
    rt = runtime.current()
    try:
        snapshot = snapshot_of(rt.booking.get_appointment(appointment_id), agenda_id)
    except BookingNotFoundError:
        previous = rt.plans.snapshot(appointment_id)
        snapshot = (previous.as_removed() if previous
                    else Snapshot.tombstone(appointment_id, agenda_id))
    if confirmation_code:
        rt.redis.set(keys.confirmation_code(appointment_id), confirmation_code,
                     ex=keys.AFTER_APPOINTMENT_SECONDS)
    events = _observe(rt, [snapshot])
    return {"appointment": appointment_id, "events": events}


@traced
def forget_customer(customer_id: int) -> dict[str, Any]:
    """A customer changed upstream: drop what is cached about their contact details."""
    rt = runtime.current()
    removed = rt.redis.delete(keys.customer_cache(customer_id))
    return {"customer": customer_id, "dropped": removed}


def _window(rt: Runtime) -> tuple[date, date]:
    today = rt.clock.now().astimezone(rt.settings.tz).date()
    return today - timedelta(days=1), today + timedelta(days=rt.settings.reconcile_window_days)


class _Listing:
    """Every page of one getAppointments query, noting the API's clock at the first."""

    def __init__(self, rt: Runtime, agenda_id: int, since: datetime | None) -> None:
        self.rt = rt
        self.agenda_id = agenda_id
        self.since = since
        self.start, self.end = _window(rt)
        self.server_time: int | None = None

    def _fetch(self, limit: int, offset: int) -> Page[Appointment]:
        page = self.rt.booking.get_appointments(
            self.agenda_id, self.start, self.end, updated_after=self.since,
            include_cancelled=True, limit=limit, offset=offset,
        )
        if self.server_time is None:
            self.server_time = page.server_time or int(self.rt.clock.now().timestamp())
        return page

    def __iter__(self) -> Iterator[Appointment]:
        return iter_pages(self._fetch, PAGE_SIZE)

    def next_watermark(self, previous: int) -> int:
        """Where the next poll starts: never before `previous`."""
        assert self.server_time is not None, "read the listing first"
        return max(previous, self.server_time - VISIBILITY_LAG_SECONDS)


def _observe_in_pages(rt: Runtime, listing: _Listing) -> tuple[int, set[int]]:
    """Observe a listing page by page; returns (events, ids seen)."""
    events, seen = 0, set[int]()
    batch: list[Observation] = []
    for appointment in listing:
        batch.append(observation_of(appointment, listing.agenda_id))
        seen.add(appointment.id)
        if len(batch) >= PAGE_SIZE:
            events += _observe(rt, batch)
            batch = []
    events += _observe(rt, batch)
    return events, seen


def _agendas(rt: Runtime, agenda_id: int) -> tuple[int, ...]:
    return rt.agendas() if agenda_id == ALL_AGENDAS else (agenda_id,)


@traced
def poll_agenda(agenda_id: int) -> dict[str, Any]:
    """Changes since the watermark, for one agenda or (0) every watched one."""
    rt = runtime.current()
    rt.redis.delete(keys.poll_queued(agenda_id))  # a new trigger may queue the next poll
    return {str(agenda): _poll_one(rt, agenda) for agenda in _agendas(rt, agenda_id)}


def _poll_one(rt: Runtime, agenda_id: int) -> dict[str, int]:
    mark = rt.redis.get(keys.watermark(agenda_id))
    if mark is None:  # never polled: read the whole window once
        return _reconcile_one(rt, agenda_id)
    watermark = int(mark)
    listing = _Listing(rt, agenda_id, datetime.fromtimestamp(watermark, UTC))
    events, seen = _observe_in_pages(rt, listing)
    # Only now, with every page read and recorded, does the watermark move.
    rt.redis.set(keys.watermark(agenda_id), listing.next_watermark(watermark))
    rt.redis.set(keys.last_poll(agenda_id), int(rt.clock.now().timestamp()))
    log.info("poll_done", agenda=agenda_id, changed=len(seen), events=events)
    return {"changed": len(seen), "events": events}


@traced
def reconcile_agenda(agenda_id: int) -> dict[str, Any]:
    """The whole upcoming window, to catch what polling cannot see (removals)."""
    rt = runtime.current()
    rt.redis.delete(keys.RECONCILE_QUEUED)
    return {str(agenda): _reconcile_one(rt, agenda) for agenda in _agendas(rt, agenda_id)}


def _reconcile_one(rt: Runtime, agenda_id: int) -> dict[str, int]:
    listing = _Listing(rt, agenda_id, None)
    events, seen = _observe_in_pages(rt, listing)
    start, end = listing.start, listing.end
    tz = rt.settings.tz
    low = datetime.combine(start, datetime.min.time(), tz).timestamp()
    high = datetime.combine(end + timedelta(days=1), datetime.min.time(), tz).timestamp()
    index = rt.redis.zrangebyscore(keys.agenda_index(agenda_id), low, high)
    known = {int(str(i.decode() if isinstance(i, bytes) else i)) for i in index}
    events += sum(_recheck(rt, agenda_id, missing) for missing in sorted(known - seen))
    mark = rt.redis.get(keys.watermark(agenda_id))
    rt.redis.set(keys.watermark(agenda_id), listing.next_watermark(int(mark or 0)))
    rt.redis.set(keys.last_poll(agenda_id), int(rt.clock.now().timestamp()))
    log.info("reconcile_done", agenda=agenda_id, seen=len(seen), missing=len(known - seen),
             events=events)
    return {"seen": len(seen), "missing": len(known - seen), "events": events}


def _recheck(rt: Runtime, agenda_id: int, appointment_id: int) -> int:
    """An appointment we know that the window no longer lists: removed, or moved away."""
    try:
        appointment = rt.booking.get_appointment(appointment_id)
    except BookingNotFoundError:
        previous = rt.plans.snapshot(appointment_id)
        gone = previous.as_removed() if previous else Snapshot.tombstone(appointment_id, agenda_id)
        return _observe(rt, [gone])
    return _observe(rt, [snapshot_of(appointment, agenda_id)])
