"""Share-based SMTP faults, reproducible from a seed: temporary refusals and hang-ups.

At the end of DATA, when the client has sent the whole message and waits for the
verdict, a share of messages (`temporary_failure_rate`) get `451 4.3.0` and are not
kept, and a share (`drop_rate`) get no answer at all: the sink closes the connection,
and `smtplib` raises `SMTPServerDisconnected`.

A dropped message is **not** kept. That models a server that dies before committing
the message. The other case, a server that commits and then drops the connection
before its `250`, leaves the client unable to tell whether the mail went; SMTP has no
way to make that exactly-once (the client must resend, the recipient may get it
twice), so the sandbox does not pretend to test for it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import ClassVar

from sandbox.fault_settings import RATE, Limit, SeededFaults

__all__ = ["MailFaultRates"]


@dataclass
class MailFaultRates(SeededFaults):
    SECTION: ClassVar[str] = "mail"
    LIMITS: ClassVar[dict[str, Limit]] = {"temporary_failure_rate": RATE, "drop_rate": RATE}
    SHARES: ClassVar[tuple[tuple[str, ...], ...]] = (("drop_rate", "temporary_failure_rate"),)

    temporary_failure_rate: float = 0.0
    drop_rate: float = 0.0
    seed: int = 0
    injected: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self._setup()

    def decide(self) -> str | None:
        """`"drop"`, `"temporary_failure"` or None (keep it) for one message."""
        with self._lock:
            roll = self._rng.random()
            if roll < self.drop_rate:
                kind = "drop"
            elif roll < self.drop_rate + self.temporary_failure_rate:
                kind = "temporary_failure"
            else:
                return None
            self.injected[kind] += 1
            return kind
