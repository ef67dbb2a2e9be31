"""What a method handler gets besides its parameters: the open transaction and "now"."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from sandbox.booking.db import get_setting, put_setting
from sandbox.booking.localtime import to_local
from sandbox.booking.paging import PageCache
from sandbox.booking.params import Params
from sandbox.booking.xmlwriter import Payload

REQUIRES_CONFIRMATION = "requires_confirmation"


@dataclass(frozen=True)
class Context:
    """One API call's view of the sandbox."""

    conn: sqlite3.Connection
    now: datetime
    """Aware UTC, read once per call so the whole call agrees on the time."""
    pages: PageCache = field(default_factory=PageCache)

    @property
    def local_now(self) -> datetime:
        return to_local(self.now)

    @property
    def today(self) -> date:
        return self.local_now.date()

    @property
    def epoch(self) -> int:
        return int(self.now.timestamp())


Handler = Callable[[Context, Params], Payload]


def requires_confirmation(conn: sqlite3.Connection) -> bool:
    return get_setting(conn, REQUIRES_CONFIRMATION, "0") == "1"


def set_requires_confirmation(conn: sqlite3.Connection, value: bool) -> None:
    put_setting(conn, REQUIRES_CONFIRMATION, "1" if value else "0")
