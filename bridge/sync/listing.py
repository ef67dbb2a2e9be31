"""`Listing`: every page of one `getAppointments` query over the window a sync reads.

The window runs from yesterday to `reconcile_window_days` ahead, in the practice's
days. A listing notes the API's own clock when it answered the first page: a poll's
next watermark comes from it, never from our clock, so the two clocks may disagree.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bridge.booking import Appointment, Page
from bridge.booking.paging import iter_pages
from bridge.sync.services import SyncServices

__all__ = ["PAGE_SIZE", "VISIBILITY_LAG_SECONDS", "Listing", "window", "window_bounds"]

#: A poll's watermark is the API's own clock when it answered the poll's first page,
#: minus this many seconds: UpdateTime has one-second grain and a change may become
#: visible a little after its stamp. The next poll asks for changes after it, so a
#: quiet agenda costs one call that returns nothing, whatever happened long ago.
VISIBILITY_LAG_SECONDS = 10
#: Appointments asked for per page, and observed per plan-store transaction.
PAGE_SIZE = 500


def window(now: datetime, tz: ZoneInfo, days_ahead: int) -> tuple[date, date]:
    """The days a listing reads: from yesterday to `days_ahead` after today, in `tz`."""
    today = now.astimezone(tz).date()
    return today - timedelta(days=1), today + timedelta(days=days_ahead)


def window_bounds(start: date, end: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The instants the days `start` to `end` (both whole, in `tz`) begin and end."""
    return (datetime.combine(start, datetime.min.time(), tz),
            datetime.combine(end + timedelta(days=1), datetime.min.time(), tz))


class Listing:
    """Every page of one getAppointments query, noting the API's clock at the first."""

    def __init__(self, sv: SyncServices, agenda_id: int, since: datetime | None) -> None:
        """`since`: only appointments updated after it (a poll); None: all (a reconciliation)."""
        self.sv = sv
        self.agenda_id = agenda_id
        self.since = since
        self.start, self.end = window(sv.clock.now(), sv.tz, sv.reconcile_window_days)
        self.page_size = PAGE_SIZE
        self.server_time: int | None = None

    def _fetch(self, limit: int, offset: int) -> Page[Appointment]:
        page = self.sv.booking.get_appointments(
            self.agenda_id, self.start, self.end, updated_after=self.since,
            include_cancelled=True, limit=limit, offset=offset,
        )
        if self.server_time is None:
            self.server_time = page.server_time or int(self.sv.clock.now().timestamp())
        return page

    def __iter__(self) -> Iterator[Appointment]:
        return iter_pages(self._fetch, self.page_size)

    def next_watermark(self, previous: int) -> int:
        """Where the next poll starts: never before `previous`."""
        assert self.server_time is not None, "read the listing first"
        return max(previous, self.server_time - VISIBILITY_LAG_SECONDS)
