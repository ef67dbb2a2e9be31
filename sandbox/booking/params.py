"""Case-insensitive, typed access to request parameters.

The real server matches parameter names case-insensitively (clients send both `Id` and
`id` for the same call), so lookups here ignore case. Every accessor turns a bad value
into an `ApiError` naming the parameter, so handlers never see malformed input.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time

from sandbox.booking import errors
from sandbox.booking.localtime import parse_date, parse_datetime, parse_time

_INT_RE = re.compile(r"^-?\d{1,18}$")


class Params:
    """The parameters of one request, looked up by case-insensitive name."""

    def __init__(self, raw: Mapping[str, str]) -> None:
        self.raw = dict(raw)
        self._by_name: dict[str, str] = {}
        for name, value in raw.items():
            key = name.lower()
            if key in self._by_name and self._by_name[key] != value:
                raise errors.invalid(name, "given twice with different values")
            self._by_name[key] = value

    def get(self, name: str) -> str | None:
        """The raw value, or None when the parameter was not sent."""
        return self._by_name.get(name.lower())

    def has(self, name: str) -> bool:
        """True when the parameter was sent with a non-empty value."""
        return bool(self.get(name))

    def text(self, name: str, default: str = "") -> str:
        value = self.get(name)
        return default if value is None else value

    def require_text(self, name: str) -> str:
        value = self.get(name)
        if not value:
            raise errors.missing(name)
        return value

    def get_int(self, name: str) -> int | None:
        value = self.get(name)
        if not value:
            return None
        if not _INT_RE.match(value):
            raise errors.invalid(name, "not an integer")
        return int(value)

    def require_int(self, name: str) -> int:
        value = self.get_int(name)
        if value is None:
            raise errors.missing(name)
        return value

    def count(self, name: str, default: int, *, minimum: int) -> int:
        """A non-negative integer such as `Limit`/`Offset`, with a default."""
        value = self.get_int(name)
        if value is None:
            return default
        if value < minimum:
            raise errors.invalid(name, f"must be at least {minimum}")
        return value

    def get_date(self, name: str) -> date | None:
        value = self.get(name)
        if not value:
            return None
        parsed = parse_date(value)
        if parsed is None:
            raise errors.invalid(name, "not a valid date (expected yyyy-mm-dd)")
        return parsed

    def require_date(self, name: str) -> date:
        value = self.get_date(name)
        if value is None:
            raise errors.missing(name)
        return value

    def get_time(self, name: str) -> time | None:
        value = self.get(name)
        if not value:
            return None
        parsed = parse_time(value)
        if parsed is None:
            raise errors.invalid(name, "not a valid time (expected hh:mm)")
        return parsed

    def require_time(self, name: str) -> time:
        value = self.get_time(name)
        if value is None:
            raise errors.missing(name)
        return value

    def get_datetime(self, name: str) -> datetime | None:
        value = self.get(name)
        if not value:
            return None
        parsed = parse_datetime(value)
        if parsed is None:
            raise errors.invalid(name, "not a valid date-time (expected yyyy-mm-dd hh:mm:ss)")
        return parsed

    def flag(self, name: str, default: bool) -> bool:
        """A `0`/`1` switch."""
        value = self.get(name)
        if not value:
            return default
        if value not in ("0", "1"):
            raise errors.invalid(name, "must be 0 or 1")
        return value == "1"

    def first_flag(self, names: Iterable[str], default: bool) -> bool:
        """A switch that clients spell in more than one way (`IncludeCancelled`)."""
        for name in names:
            if self.has(name):
                return self.flag(name, default)
        return default

    def choice(self, name: str, allowed: Iterable[str], default: str) -> str:
        value = self.get(name)
        if not value:
            return default
        options = tuple(allowed)
        if value not in options:
            raise errors.invalid(name, "must be one of " + ", ".join(options))
        return value

    def id_list(self, name: str) -> list[int] | None:
        """Comma-separated ids; None means "any" (absent, empty or -1)."""
        value = self.get(name)
        if value is None or value.strip() in ("", "-1"):
            return None
        ids: list[int] = []
        for part in value.split(","):
            part = part.strip()
            if not _INT_RE.match(part) or int(part) <= 0:
                raise errors.invalid(name, "not an id or comma-separated list of ids")
            ids.append(int(part))
        return ids

    def pick(self, keys: Iterable[str]) -> dict[str, str]:
        """Values of the given names that were sent, keyed by the given spelling."""
        return {key: value for key in keys if (value := self.get(key)) is not None}
