"""Injectable clocks, so the sandbox's notion of "now" can be frozen or moved in tests and demos.

Every time-dependent rule of the sandbox (salt expiry, lead times, UpdateTime, the Status
block) reads the clock given to it instead of the system time.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable

__all__ = ["AdjustableClock", "Clock", "ManualClock", "OffsetClock", "SystemClock"]


@runtime_checkable
class Clock(Protocol):
    """Something that tells the current time as an aware UTC datetime."""

    def now(self) -> datetime: ...


@runtime_checkable
class AdjustableClock(Clock, Protocol):
    """A clock whose time can be set or moved (used by `PUT /_sandbox/clock`)."""

    def set(self, dt: datetime) -> None: ...

    def advance(self, delta: timedelta) -> None: ...


def _require_aware(dt: datetime) -> datetime:
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError("datetime must carry a UTC offset")
    return dt.astimezone(UTC)


class SystemClock:
    """The real time."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that only moves when told to; thread-safe."""

    def __init__(self, start: datetime) -> None:
        self._now = _require_aware(start)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def set(self, dt: datetime) -> None:
        aware = _require_aware(dt)
        with self._lock:
            self._now = aware

    def advance(self, delta: timedelta) -> None:
        with self._lock:
            self._now = self._now + delta


class OffsetClock:
    """The real time plus an adjustable offset: it keeps ticking, but can be moved.

    The command-line sandbox uses it so a demo can jump ahead (e.g. to reminder time)
    while clients that sign with their own wall clock keep working within the salt window
    once they have learned the skew from `Status/Timestamp`.
    """

    def __init__(self, offset: timedelta = timedelta(0)) -> None:
        self._offset = offset
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            offset = self._offset
        return datetime.now(UTC) + offset

    def set(self, dt: datetime) -> None:
        aware = _require_aware(dt)
        with self._lock:
            self._offset = aware - datetime.now(UTC)

    def advance(self, delta: timedelta) -> None:
        with self._lock:
            self._offset = self._offset + delta
