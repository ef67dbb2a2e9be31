"""Values as the booking API writes them, and back (upstream-api.md §5 and §8).

The API speaks plain strings in the account's local time (Europe/Amsterdam) with no
offset: dates `yyyy-mm-dd`, times `hh:mm`, date-times `yyyy-mm-dd hh:mm:ss`,
booleans `1`/`0`. The bridge works with aware datetimes; this module is the only
place that converts between the two.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from enum import Enum
from zoneinfo import ZoneInfo

from bridge.booking.errors import BookingProtocolError

__all__ = [
    "AMSTERDAM",
    "ParamValue",
    "encode_value",
    "localize",
    "parse_bool",
    "parse_date",
    "parse_datetime",
    "parse_decimal",
    "parse_int",
    "parse_time",
]

AMSTERDAM = ZoneInfo("Europe/Amsterdam")

ParamValue = str | int | bool | date | datetime | time | Enum

_DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def encode_value(value: ParamValue, tz: ZoneInfo = AMSTERDAM) -> str:
    """One parameter value as the API expects it."""
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, bool):  # before int: bool is an int
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("date-times sent to the booking API must be timezone-aware")
        return value.astimezone(tz).strftime(_DATETIME_FORMAT)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return value


def _fail(field: str, raw: str, expected: str) -> BookingProtocolError:
    return BookingProtocolError(f"field {field}: expected {expected}, got {raw!r}")


def parse_int(raw: str, field: str) -> int:
    try:
        return int(raw.strip())
    except ValueError:
        raise _fail(field, raw, "an integer") from None


def parse_bool(raw: str, field: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true"}:
        return True
    if value in {"0", "false", ""}:
        return False
    raise _fail(field, raw, "1 or 0")


def parse_decimal(raw: str, field: str) -> Decimal:
    try:
        return Decimal(raw.strip() or "0")
    except InvalidOperation:
        raise _fail(field, raw, "a decimal number") from None


def parse_date(raw: str, field: str) -> date:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise _fail(field, raw, "a date yyyy-mm-dd") from None


def parse_time(raw: str, field: str) -> time:
    text = raw.strip()
    for fmt in ("%H:%M", "%H:%M:%S"):
        try:
            return datetime.strptime(text, fmt).time()
        except ValueError:
            continue
    raise _fail(field, raw, "a time hh:mm")


def parse_datetime(raw: str, field: str, tz: ZoneInfo = AMSTERDAM) -> datetime:
    """A local API date-time as an aware datetime in the account's zone."""
    try:
        naive = datetime.strptime(raw.strip(), _DATETIME_FORMAT)
    except ValueError:
        raise _fail(field, raw, "a date-time yyyy-mm-dd hh:mm:ss") from None
    return localize(naive, tz, field)


def localize(naive: datetime, tz: ZoneInfo, field: str) -> datetime:
    """`naive` on the wall clock of `tz`, refused when no UTC instant matches it.

    0001-01-01 00:00 in a zone east of UTC is before the year 1 in UTC (and 9999-12-31
    23:59 west of it after 9999): `datetime` cannot convert those, so neither could the
    planner.
    """
    moment = naive.replace(tzinfo=tz)
    try:
        moment.astimezone(UTC)
    except OverflowError:
        raise _fail(field, naive.isoformat(" "), "a date-time of the years 1 to 9999 in UTC") \
            from None
    return moment
