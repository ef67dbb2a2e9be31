"""Wall-clock readings in the practice's zone, turned into instants.

Reminder days and quiet hours are wall-clock rules ("10:00 the day before",
"quiet from 21:00"), but a wall-clock reading is not always one instant: in the
spring gap (02:00-03:00 on the last Sunday of March in Europe/Amsterdam) it names
none, in the autumn fold (02:00-03:00 on the last Sunday of October) it names two.
`resolve_local` settles both the same way, so every caller agrees.

The rule: **take the earlier of the two readings** (PEP 495's `fold=0` and `fold=1`).
- In a fold that is the first occurrence (still summer time).
- In a gap that is the reading with the offset in force after the jump, which lands
  one gap-length before the same reading with the old offset: 02:30 on 29 March
  2026 becomes 00:30 UTC (01:30 winter time).
Earlier, because a message a little early is harmless and a late one is not.

This runs for every reminder of every appointment, so it avoids
`datetime.replace` (slow) and needs two zone conversions in the common case.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

__all__ = ["resolve_local"]


def resolve_local(wall: datetime, tz: ZoneInfo) -> datetime:
    """The aware UTC instant of the wall-clock reading `wall` in `tz`.

    `wall` is naive, or aware with `tzinfo` `tz` (as `datetime.combine(day, t, tz)`
    or `local - timedelta(days=1)` make it); only its reading counts, not its fold.
    """
    if wall.tzinfo is not tz:
        if wall.tzinfo is not None:
            raise ValueError("resolve_local needs a naive reading or one in the given zone")
        wall = wall.replace(tzinfo=tz)
    if wall.fold:
        wall = wall.replace(fold=0)
    first = wall.astimezone(UTC)  # the fold=0 reading: the earlier one, except in a gap
    assumed = wall.utcoffset()
    actual = first.astimezone(tz).utcoffset()
    if assumed is None or actual is None or actual == assumed:
        return first
    # In a gap: fold=0 used the offset before the jump; the offset after it gives
    # the earlier instant.
    return first - (actual - assumed)
