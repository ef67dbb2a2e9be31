"""Reading one envelope `Record`'s fields: required or optional, each parsed and named.

A required field that is missing or malformed refuses the record with a
`BookingProtocolError` naming the field; the decoders (`bridge.booking.decode`) build
the typed models from what this reads.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar
from zoneinfo import ZoneInfo

from bridge.booking import wire
from bridge.booking.envelope import Record
from bridge.booking.errors import BookingProtocolError

__all__ = ["RecordReader", "enum_value", "identity", "int_list", "moment_from_stamp"]

T = TypeVar("T")


class RecordReader:
    """Reads the fields of one record, remembering which were used."""

    def __init__(self, record: Record, tz: ZoneInfo) -> None:
        self.record = record
        self.tz = tz
        self.used: set[str] = set()

    def _name(self, key: str) -> str:
        return f"{self.record.tag}/{key}"

    def raw(self, key: str) -> str:
        self.used.add(key)
        return self.record.get(key)

    def required(self, key: str, parse: Callable[[str, str], T]) -> T:
        text = self.raw(key)
        if not text:
            raise BookingProtocolError(f"field {self._name(key)} is missing or empty")
        return parse(text, self._name(key))

    def optional(self, key: str, parse: Callable[[str, str], T]) -> T | None:
        text = self.raw(key)
        return parse(text, self._name(key)) if text else None

    def text(self, key: str) -> str:
        return self.raw(key)

    def int_or(self, key: str, default: int) -> int:
        value = self.optional(key, wire.parse_int)
        return default if value is None else value

    def flag(self, key: str) -> bool:
        return wire.parse_bool(self.raw(key), self._name(key))

    def moment(self, key: str) -> datetime:
        return wire.parse_datetime(self.required(key, identity), self._name(key), self.tz)

    def moment_or_none(self, key: str) -> datetime | None:
        text = self.raw(key)
        return wire.parse_datetime(text, self._name(key), self.tz) if text else None

    def extra(self) -> dict[str, str]:
        return {k: v for k, v in self.record.values.items() if k not in self.used}


def identity(text: str, _field: str) -> str:
    return text


def int_list(text: str, field: str) -> tuple[int, ...]:
    return tuple(wire.parse_int(part, field) for part in text.split(",") if part.strip())


def enum_value(enum: Callable[[int], T], text: str, field: str) -> T:
    number = wire.parse_int(text, field)
    try:
        return enum(number)
    except ValueError:
        raise BookingProtocolError(f"field {field}: unknown value {number}") from None


def moment_from_stamp(tz: ZoneInfo) -> Callable[[str, str], datetime]:
    """Parses Unix seconds into an aware datetime in `tz`; out of range is refused."""

    def parse(text: str, field: str) -> datetime:
        stamp = wire.parse_int(text, field)
        try:
            return datetime.fromtimestamp(stamp, tz)
        except (OverflowError, OSError, ValueError):  # beyond what datetime can hold
            raise BookingProtocolError(
                f"field {field}: {text.strip()[:24]!r} is not a Unix time"
            ) from None

    return parse
