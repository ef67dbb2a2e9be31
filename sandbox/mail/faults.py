"""Mail-server misbehaviour on cue, so the bridge's retry of e-mail can be tested.

`temporary_failures_next = N` answers the next N messages with `451 4.3.0` at the end
of DATA (the message is not kept), as a busy or greylisting server would; `smtplib`
raises `SMTPDataError(451, ...)`. Faults for a share of all messages, reproducible from
a seed (451s and dropped connections), are in `fault_rates.py`.
"""

from __future__ import annotations

import threading
from typing import Any

TEMPORARY_FAILURE_REPLY = "451 4.3.0 Temporary failure in the sandbox, please try again later"


class MailFaults:
    """Thread-safe fault settings of one mail sink."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._temporary_failures_next = 0

    @property
    def temporary_failures_next(self) -> int:
        with self._lock:
            return self._temporary_failures_next

    @temporary_failures_next.setter
    def temporary_failures_next(self, count: int) -> None:
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ValueError("temporary_failures_next must be a whole number >= 0")
        with self._lock:
            self._temporary_failures_next = count

    def take_temporary_failure(self) -> bool:
        """True (and one fewer left) if this message must get a 451."""
        with self._lock:
            if self._temporary_failures_next <= 0:
                return False
            self._temporary_failures_next -= 1
            return True

    def to_json(self) -> dict[str, Any]:
        return {"temporary_failures_next": self.temporary_failures_next}

    def update_from_json(self, body: dict[str, Any]) -> None:
        unknown = sorted(set(body) - {"temporary_failures_next"})
        if unknown:
            raise ValueError(f"unknown fault(s): {', '.join(unknown)}")
        if "temporary_failures_next" in body:
            self.temporary_failures_next = body["temporary_failures_next"]
