"""When reminders are due: offsets before an appointment, parsed from settings.

A setting such as `"1d,2h"` lists how long before the start each reminder goes out.
Units differ in what they count, on purpose:

- `d` counts **wall-clock days** in the practice's zone: "1d" before 10:00 is 10:00
  local the day before, even when a DST change lies in between (the day is then 23
  or 25 hours long). Customers read "tomorrow at ten" at the hour they expect.
- `h`, `m` and `s` count **elapsed time**: "2h" is exactly 7,200 seconds earlier.

A day offset whose wall-clock result does not exist or exists twice (the spring
gap, the autumn fold) resolves to the earlier instant; see `local_time`.

Amounts are whole, positive and at most one year's worth (365 days, 8,760 hours …),
so date arithmetic can never overflow and a typo such as "1000000d" is caught at
start-up. Each offset may appear once, since its label names the reminder
("1d") in message keys.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bridge.domain.local_time import resolve_local

# Re-exported: callers may read both reminder settings from this one module.
from bridge.domain.quiet_hours import QuietHours, parse_quiet_hours

__all__ = ["QuietHours", "ReminderOffset", "parse_offsets", "parse_quiet_hours"]

_UNIT_SECONDS = {"d": 86_400, "h": 3_600, "m": 60, "s": 1}
_MAX_SECONDS = 365 * 86_400
_PART = re.compile(r"\s*([0-9]{1,12})\s*([dhms])\s*", re.ASCII | re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ReminderOffset:
    """How long before an appointment's start one reminder is due."""

    amount: int
    unit: str
    label: str = field(init=False, repr=False, compare=False)
    """The offset as written in settings and message keys, e.g. `"1d"`."""
    _delta: timedelta = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "label", f"{self.amount}{self.unit}")
        seconds = _UNIT_SECONDS.get(self.unit)
        if seconds is None:
            raise ValueError(f"reminder offset unit {self.unit!r}: expected d, h, m or s")
        if not 0 < self.amount * seconds <= _MAX_SECONDS:
            raise ValueError(
                f"reminder offset {self.label!r}: must be more than zero and at most 365 days"
            )
        object.__setattr__(self, "_delta", timedelta(seconds=self.amount * seconds))

    def due(self, start: datetime, tz: ZoneInfo) -> datetime:
        """When the reminder for an appointment starting at `start` is due (aware UTC)."""
        if self.unit != "d":
            return start.astimezone(UTC) - self._delta
        return resolve_local(start.astimezone(tz) - self._delta, tz)


def parse_offsets(text: str) -> tuple[ReminderOffset, ...]:
    """Parse `"1d,2h,30m,45s"`, in the order given; `""` means no reminders.

    Raises `ValueError` naming the part that is wrong.
    """
    if not text.strip():
        return ()
    offsets: list[ReminderOffset] = []
    seen: set[str] = set()
    for part in text.split(","):
        match = _PART.fullmatch(part)
        if match is None:
            raise ValueError(
                f"reminder offset {part.strip()!r}: expected a whole number and a unit "
                "d, h, m or s, such as 1d or 30m"
            )
        offset = ReminderOffset(int(match.group(1)), match.group(2).lower())
        if offset.label in seen:
            raise ValueError(f"reminder offset {offset.label!r} is listed twice")
        seen.add(offset.label)
        offsets.append(offset)
    return tuple(offsets)
