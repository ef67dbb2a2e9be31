"""Europe/Amsterdam wall-clock conversions and the API's text formats.

The API speaks naive local time (`yyyy-mm-dd hh:mm:ss`, no offset) while the sandbox's
clock is UTC; all conversions between the two live here so DST is handled in one place.
Ambiguous local times (the repeated hour when DST ends) resolve to the first occurrence
and non-existent ones (the skipped hour) are shifted forward, as `zoneinfo` does with
`fold=0`.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME_RE = re.compile(r"^\d{2}:\d{2}$")
_DATETIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")


def to_local(moment: datetime) -> datetime:
    """An aware datetime as naive Amsterdam wall-clock time."""
    return moment.astimezone(AMSTERDAM).replace(tzinfo=None)


def to_utc(local: datetime) -> datetime:
    """A naive Amsterdam wall-clock time as an aware UTC datetime (first occurrence)."""
    return local.replace(tzinfo=AMSTERDAM, fold=0).astimezone(UTC)


def to_epoch(local: datetime) -> int:
    """Unix seconds of a naive Amsterdam wall-clock time."""
    return int(to_utc(local).timestamp())


def epoch_to_local(epoch: int) -> datetime:
    return to_local(datetime.fromtimestamp(epoch, UTC))


def format_datetime(local: datetime) -> str:
    """`yyyy-mm-dd hh:mm:ss`."""
    return local.isoformat(sep=" ", timespec="seconds")


def format_date(day: date) -> str:
    return day.isoformat()


def format_time(local: datetime | time) -> str:
    return f"{local.hour:02d}:{local.minute:02d}"


def parse_date(text: str) -> date | None:
    """`yyyy-mm-dd` exactly, or None."""
    if not _DATE_RE.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


@lru_cache(maxsize=2048)
def parse_time(text: str) -> time | None:
    """`hh:mm` exactly (24-hour), or None."""
    if not _TIME_RE.match(text):
        return None
    try:
        return time.fromisoformat(text)
    except ValueError:
        return None


def parse_datetime(text: str) -> datetime | None:
    """`yyyy-mm-dd hh:mm:ss` exactly, as a naive local datetime, or None."""
    if not _DATETIME_RE.match(text):
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def add_years(day: date, years: int) -> date:
    """The same calendar day `years` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def days_between(first: date, last: date) -> list[date]:
    """Every date from `first` to `last`, both inclusive."""
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]
