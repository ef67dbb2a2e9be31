"""Quiet hours: the daily wall-clock window in which no customer is messaged.

`QuietHours(21:00, 08:00)` wraps midnight: it covers 21:00 up to (not including)
08:00 the next morning. A window that does not wrap, such as 12:00-13:00, covers
part of one day. The window is wall-clock time in the practice's zone, so it stays
21:00-08:00 local across DST changes; its edges are resolved to instants by
`local_time.resolve_local` (the earlier reading in a gap or fold).

`move_out` is the rule for a send that falls inside (see `plan`): earlier to just
before the period, else after it, else now.

A window with equal start and end is refused: it would mean either nothing or the
whole day, and a whole-day quiet would silence every reminder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bridge.domain.local_time import resolve_local

__all__ = ["QuietHours", "parse_quiet_hours"]

_OFF = frozenset({"", "off", "none"})
_CLOCK = r"([0-9]{1,2}):([0-9]{2})"
_WINDOW = re.compile(rf"\s*{_CLOCK}\s*-\s*{_CLOCK}\s*")
_ONE_DAY = timedelta(days=1)
_ONE_MINUTE = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class QuietHours:
    """A daily window `[start, end)` of local time; wraps midnight when start > end."""

    start: time
    end: time
    wraps: bool = field(init=False, repr=False, compare=False)
    """Whether the window runs past midnight (21:00-08:00 does)."""

    def __post_init__(self) -> None:
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("quiet hours are local wall-clock times, without a zone")
        if self.start == self.end:
            raise ValueError("quiet hours must start and end at different times")
        object.__setattr__(self, "wraps", self.start > self.end)

    def contains(self, moment: datetime, tz: ZoneInfo) -> bool:
        """Whether the aware `moment` falls inside quiet hours in `tz`."""
        return self._first_day(moment.astimezone(tz)) is not None

    def period_around(self, moment: datetime, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """The aware UTC start and end of the quiet period that contains `moment`.

        Raises `ValueError` when `moment` is outside quiet hours.
        """
        first_day = self._first_day(moment.astimezone(tz))
        if first_day is None:
            raise ValueError(f"{moment.isoformat()} is not inside quiet hours")
        return self._begins(first_day, tz), self._ends(first_day, tz)

    def move_out(
        self, moment: datetime, tz: ZoneInfo, *, now: datetime, deadline: datetime
    ) -> datetime:
        """Where a send planned at `moment` goes so that it respects quiet hours.

        Outside quiet hours: `moment` itself. Inside: one minute before the quiet
        period begins, unless that is before `now`; then the end of the period,
        unless that is not before `deadline` (the appointment's start); then `now`,
        because a message in quiet hours beats none.
        """
        first_day = self._first_day(moment.astimezone(tz))
        if first_day is None:
            return moment
        earlier = self._begins(first_day, tz) - _ONE_MINUTE
        if earlier >= now:
            return earlier
        ends = self._ends(first_day, tz)
        return ends if ends < deadline else now

    def _first_day(self, local: datetime) -> date | None:
        """The local date on which the quiet period holding `local` began, if any."""
        clock = local.time()
        if self.wraps:
            if clock >= self.start:
                return local.date()
            if clock < self.end:
                return local.date() - _ONE_DAY
            return None
        if self.start <= clock < self.end:
            return local.date()
        return None

    def _begins(self, first_day: date, tz: ZoneInfo) -> datetime:
        return resolve_local(datetime.combine(first_day, self.start, tz), tz)

    def _ends(self, first_day: date, tz: ZoneInfo) -> datetime:
        last_day = first_day + _ONE_DAY if self.wraps else first_day
        return resolve_local(datetime.combine(last_day, self.end, tz), tz)


def parse_quiet_hours(text: str) -> QuietHours | None:
    """Parse `"21:00-08:00"`; `""`, `"off"` or `"none"` mean no quiet hours.

    Raises `ValueError` naming the part that is wrong.
    """
    if text.strip().lower() in _OFF:
        return None
    match = _WINDOW.fullmatch(text)
    if match is None:
        raise ValueError(f"quiet hours {text.strip()!r}: expected HH:MM-HH:MM, such as 21:00-08:00")
    numbers = [int(group) for group in match.groups()]
    start = _clock(numbers[0], numbers[1], text)
    end = _clock(numbers[2], numbers[3], text)
    return QuietHours(start, end)


def _clock(hour: int, minute: int, text: str) -> time:
    if hour > 23 or minute > 59:
        raise ValueError(
            f"quiet hours {text.strip()!r}: {hour:02d}:{minute:02d} is not a time of day"
        )
    return time(hour, minute)
