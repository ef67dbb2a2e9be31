"""`BookingSandbox`: one simulated OnlineAfspraken account behind a single `handle` call.

The HTTP layer is a thin shell over `handle`, so tests can drive the full request path
(authentication, dispatch, XML) without a server, and any unexpected error still comes
back as a failed Status instead of a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from sandbox.booking import errors
from sandbox.booking.auth import authenticate
from sandbox.booking.confirmation import outbox_entries
from sandbox.booking.context import Context, requires_confirmation, set_requires_confirmation
from sandbox.booking.db import Database
from sandbox.booking.demo_data import demo_data
from sandbox.booking.handlers import METHODS
from sandbox.booking.localtime import format_datetime, to_local
from sandbox.booking.paging import PageCache
from sandbox.booking.params import Params
from sandbox.booking.seeding import load
from sandbox.booking.xmlwriter import StatusLine, failure, success
from sandbox.clock import Clock, SystemClock

logger = logging.getLogger(__name__)


class BookingSandbox:
    """A local stand-in for the OnlineAfspraken.nl REST API."""

    def __init__(
        self,
        api_key: str,
        api_secret: str,
        *,
        clock: Clock | None = None,
        database: str = ":memory:",
        data: Mapping[str, Any] | None = None,
    ) -> None:
        self.api_key = api_key
        self._api_secret = api_secret
        self.clock: Clock = clock or SystemClock()
        self._db = Database(database)
        self._pages = PageCache()
        if self._db.is_empty():
            with self._db.transaction() as conn:
                load(conn, demo_data() if data is None else data, self.clock.now())
        else:
            logger.info("sandbox database %s already holds data; reusing it", database)

    def handle(self, params: Mapping[str, str]) -> str:
        """Answer one API call (query and form parameters merged) with the XML body."""
        now = self.clock.now()
        line = StatusLine(format_datetime(to_local(now)), int(now.timestamp()))
        method = "?"
        try:
            parsed = Params(params)
            method = authenticate(parsed, self.api_key, self._api_secret, line.timestamp)
            handler = METHODS.get(method)
            if handler is None:
                raise errors.ApiError(errors.UNKNOWN_METHOD, f"Unknown method: {method}")
            with self._db.transaction() as conn:
                self._pages.sync(self._db.version)
                payload = handler(Context(conn, now, self._pages), parsed)
        except errors.ApiError as exc:
            logger.info("method %s failed: %s %s", method, exc.code, exc.summary)
            return failure(line, exc.code, exc.message)
        except Exception:
            logger.exception("method %s crashed", method)
            return failure(line, errors.INTERNAL, "Internal error in the sandbox; see its log")
        return success(line, payload)

    @property
    def api_secret(self) -> str:
        """The secret clients sign with (a sandbox's secret is no secret: demos print it)."""
        return self._api_secret

    @property
    def practice_name(self) -> str:
        """The name of the account's default agenda (else its first), to tell accounts apart."""
        with self._db.transaction() as conn:
            row = conn.execute(
                'SELECT "Name" FROM agendas ORDER BY "IsDefault" DESC, "Id" LIMIT 1'
            ).fetchone()
        return "" if row is None else str(row[0])

    def outbox(self) -> list[dict[str, object]]:
        """Confirmation codes the sandbox has "sent", oldest first."""
        with self._db.transaction() as conn:
            return outbox_entries(conn)

    @property
    def requires_confirmation(self) -> bool:
        with self._db.transaction() as conn:
            return requires_confirmation(conn)

    @requires_confirmation.setter
    def requires_confirmation(self, value: bool) -> None:
        with self._db.transaction() as conn:
            set_requires_confirmation(conn, value)

    def close(self) -> None:
        self._db.close()
