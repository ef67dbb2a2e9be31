"""Injected API failures: "answer the next N create calls with these errors".

The bridge must back off on 429 and retry on 5xx without sending twice; this is how a
test or benchmark makes Twilio misbehave on cue. Faults are consumed in order, one per
`POST .../Messages.json` (after authentication, before validation), then the API
behaves normally again. Bodies are Twilio-shaped: 429 -> 20429 "Too Many Requests",
500 -> 20500, 503 -> 20503, unless a code or message is given. A share of calls failing
at random, reproducibly from a seed, is `fault_rates.py`.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass
from typing import Any, TypeGuard

from sandbox.twilio import errors


@dataclass(frozen=True)
class Fault:
    """One injected error answer; `retry_after` (seconds) adds a Retry-After header."""

    status: int
    code: int | None = None
    message: str | None = None
    retry_after: int | None = None

    def error(self) -> errors.TwilioApiError:
        error = errors.fault(self.status, self.code, self.message)
        if self.retry_after is not None:
            error.headers["Retry-After"] = str(self.retry_after)
        return error

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in vars(self).items() if v is not None}

    @classmethod
    def from_json(cls, item: object) -> Fault:
        if not isinstance(item, dict):
            raise ValueError('each fault must be an object with a "status"')
        unknown = sorted(set(item) - {"status", "code", "message", "retry_after"})
        if unknown:
            raise ValueError(f"unknown fault field(s): {', '.join(unknown)}")
        status, code = item.get("status"), item.get("code")
        message, retry_after = item.get("message"), item.get("retry_after")
        if not _is_int(status) or not 400 <= status <= 599:
            raise ValueError('"status" must be an HTTP error status (400-599)')
        if code is not None and not _is_int(code):
            raise ValueError('"code" must be an integer')
        if message is not None and not isinstance(message, str):
            raise ValueError('"message" must be a string')
        if retry_after is not None and (not _is_int(retry_after) or retry_after < 0):
            raise ValueError('"retry_after" must be a whole number of seconds')
        return cls(status, code, message, retry_after)


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


class TwilioFaults:
    """A thread-safe queue of faults for the next create calls."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._next: deque[Fault] = deque()

    def set_next(self, faults: list[Fault]) -> None:
        """Replace the queue."""
        with self._lock:
            self._next = deque(faults)

    def push(
        self,
        status: int,
        code: int | None = None,
        message: str | None = None,
        retry_after: int | None = None,
    ) -> None:
        """Add one fault at the end of the queue."""
        with self._lock:
            self._next.append(Fault(status, code, message, retry_after))

    def take(self) -> Fault | None:
        """The fault for this create call, if any (removing it from the queue)."""
        with self._lock:
            return self._next.popleft() if self._next else None

    def pending(self) -> list[Fault]:
        with self._lock:
            return list(self._next)

    def clear(self) -> None:
        self.set_next([])

    def to_json(self) -> dict[str, Any]:
        return {"next": [f.to_json() for f in self.pending()]}

    def update_from_json(self, body: dict[str, Any]) -> None:
        items = body.get("next")
        if set(body) != {"next"} or not isinstance(items, list):
            raise ValueError('expected {"next": [{"status": 429, "code": 20429}, ...]}')
        self.set_next([Fault.from_json(item) for item in items])
