"""Faults the sandbox booking API injects on purpose, reproducible from a seed.

For the chaos soak (issue #8) and for tests of the bridge's retries: a share of calls
answered with HTTP 500/502/503, a share that hang past a client's timeout, latency
added to every call, and a share of `getAppointments` pages after the first that
fail, so a paged poll breaks in the middle. All off by default. Decisions come from
one seeded random generator (`"<seed>:booking"`, see `sandbox/fault_settings.py`), so
the same seed and the same calls give the same faults.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import ClassVar

from sandbox.fault_settings import MILLISECONDS, RATE, SECONDS, Limit, SeededFaults

__all__ = ["BookingFaults", "Injected"]


@dataclass(frozen=True, slots=True)
class Injected:
    """What to do to one call: wait this long, then answer `status` (0: answer normally)."""

    delay_seconds: float
    status: int
    kind: str


@dataclass
class BookingFaults(SeededFaults):
    SECTION: ClassVar[str] = "booking"
    LIMITS: ClassVar[dict[str, Limit]] = {
        "error_rate": RATE, "hang_rate": RATE, "hang_seconds": SECONDS,
        "latency_ms": MILLISECONDS, "page_failure_rate": RATE,
    }
    SHARES: ClassVar[tuple[tuple[str, ...], ...]] = (("hang_rate", "error_rate"),)

    error_rate: float = 0.0
    hang_rate: float = 0.0
    hang_seconds: float = 15.0
    latency_ms: float = 0.0
    page_failure_rate: float = 0.0
    seed: int = 0
    injected: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self._setup()

    def decide(self, method: str, offset: str) -> Injected | None:
        """The fault for one API call, if any."""
        with self._lock:
            delay = self.latency_ms / 1000
            roll = self._rng.random()
            if roll < self.hang_rate:
                self.injected["hang"] += 1
                return Injected(delay + self.hang_seconds, 503, "hang")
            if roll < self.hang_rate + self.error_rate:
                self.injected["error"] += 1
                return Injected(delay, self._rng.choice((500, 502, 503)), "error")
            paged = method == "getAppointments" and offset not in {"", "0"}
            if paged and self._rng.random() < self.page_failure_rate:
                self.injected["page_failure"] += 1
                return Injected(delay, 503, "page_failure")
            return Injected(delay, 0, "latency") if delay else None
