"""The log of webhooks the sandbox sent (status callbacks and inbound), for inspection.

The delivery worker appends from its own thread while tests and the control endpoints
read, so the log sits behind a lock. It is bounded: only the newest entries are kept, so
a long soak cannot grow it without end.
"""

from __future__ import annotations

import threading
from collections import deque
from typing import Any

from sandbox.clock import Clock
from sandbox.twilio.store import MessageRecord
from sandbox.twilio.webhooks import WebhookResult

CALLBACK_LOG_SIZE = 10_000  # the newest webhook outcomes kept for `entries()`


class CallbackLog:
    """The newest `CALLBACK_LOG_SIZE` webhook outcomes, oldest first."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: deque[dict[str, Any]] = deque(maxlen=CALLBACK_LOG_SIZE)

    def add(
        self,
        kind: str,
        record: MessageRecord,
        params: list[tuple[str, str]],
        result: WebhookResult,
    ) -> None:
        """Note one webhook: its kind, message, form and outcome (a `delivery.Log`)."""
        entry = {
            "kind": kind,
            "message_sid": record.sid,
            "message_status": record.status,
            "at": self._clock.now().isoformat(),
            "params": dict(params),
            **result.summary(),
        }
        with self._lock:
            self._entries.append(entry)

    def entries(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(entry) for entry in self._entries]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
