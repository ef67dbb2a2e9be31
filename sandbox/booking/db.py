"""One SQLite connection shared by all requests, behind a lock.

uvicorn may call the sandbox from several threads; a single connection guarded by a
re-entrant lock keeps every API call one serialised transaction, which is all a sandbox
needs and makes the booking rules free of races.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sandbox.booking.schema import DDL

ID_BASES = {
    "appointments": 30_000_001,
    "customers": 10_000_001,
    "blocks": 7_001,
    "schedule": 1,
    "outbox": 1,
}
"""First id handed out when a table is still empty (real ids: customers 8 digits)."""


class Database:
    """The sandbox's state: a file or `:memory:`."""

    def __init__(self, path: str = ":memory:") -> None:
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA foreign_keys = ON")
        if path != ":memory:":
            self._conn.execute("PRAGMA journal_mode = WAL")
        self._conn.executescript(DDL)
        self.version = 0
        """Bumped by every transaction that changed rows (see `PageCache`)."""

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Hold the lock and run the block as one transaction (rolled back on error)."""
        with self._lock:
            changes = self._conn.total_changes
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")
            if self._conn.total_changes != changes:
                self.version += 1

    def is_empty(self) -> bool:
        with self.transaction() as conn:
            row = conn.execute("SELECT COUNT(*) FROM agendas").fetchone()
            return int(row[0]) == 0

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def next_id(conn: sqlite3.Connection, table: str) -> int:
    """The next id of a table, never one used before (tables are fixed names, never user
    input). A removed appointment's id is not given out again, as no real database's
    auto-increment would: the chaos soak found a bridge told "rescheduled" when a new
    booking took the id of one just removed."""
    row = conn.execute(f'SELECT MAX("Id") FROM {table}').fetchone()
    highest = 0 if row[0] is None else int(row[0])
    issued = int(get_setting(conn, f"last_id:{table}", "0"))
    chosen = max(ID_BASES.get(table, 1), highest + 1, issued + 1)
    put_setting(conn, f"last_id:{table}", str(chosen))
    return chosen


def get_setting(conn: sqlite3.Connection, name: str, default: str) -> str:
    row = conn.execute('SELECT "Value" FROM settings WHERE "Name" = ?', (name,)).fetchone()
    return default if row is None else str(row[0])


def put_setting(conn: sqlite3.Connection, name: str, value: str) -> None:
    conn.execute(
        'INSERT INTO settings ("Name", "Value") VALUES (?, ?) '
        'ON CONFLICT ("Name") DO UPDATE SET "Value" = excluded."Value"',
        (name, value),
    )
