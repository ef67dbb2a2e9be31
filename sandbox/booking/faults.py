"""Faults the sandbox booking API injects on purpose, reproducible from a seed.

For the chaos soak (issue #8) and for tests of the bridge's retries: a share of calls
answered with HTTP 500/502/503, a share that hang past a client's timeout, latency
added to every call, and a share of `getAppointments` pages after the first that
fail, so a paged poll breaks in the middle. All off by default. Decisions come from
one seeded random generator, so the same seed and the same calls give the same faults.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

__all__ = ["BookingFaults", "Injected"]

_RATES = ("error_rate", "hang_rate", "page_failure_rate")


@dataclass(frozen=True, slots=True)
class Injected:
    """What to do to one call: wait this long, then answer `status` (0: answer normally)."""

    delay_seconds: float
    status: int
    kind: str


@dataclass
class BookingFaults:
    error_rate: float = 0.0
    hang_rate: float = 0.0
    hang_seconds: float = 15.0
    latency_ms: float = 0.0
    page_failure_rate: float = 0.0
    seed: int = 0
    injected: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._rng = random.Random(self.seed)
        self.validate()

    def validate(self) -> None:
        for name in _RATES:
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, not {value}")
        if self.hang_seconds < 0 or self.latency_ms < 0:
            raise ValueError("hang_seconds and latency_ms must not be negative")

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

    def to_json(self) -> dict[str, Any]:
        with self._lock:
            return {
                "error_rate": self.error_rate, "hang_rate": self.hang_rate,
                "hang_seconds": self.hang_seconds, "latency_ms": self.latency_ms,
                "page_failure_rate": self.page_failure_rate, "seed": self.seed,
                "injected": dict(self.injected),
            }

    def update_from_json(self, body: dict[str, Any]) -> None:
        """Change settings (all-or-nothing); a new `seed` restarts the sequence."""
        known = {"error_rate", "hang_rate", "hang_seconds", "latency_ms", "page_failure_rate",
                 "seed"}
        unknown = set(body) - known
        if unknown:
            raise ValueError(f"unknown fault settings: {', '.join(sorted(unknown))}")
        values = {name: getattr(self, name) for name in known}
        for name, value in body.items():
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"{name} must be a number")
            values[name] = int(value) if name == "seed" else float(value)
        trial = BookingFaults(**values)  # validates
        with self._lock:
            for name in known - {"seed"}:
                setattr(self, name, getattr(trial, name))
            if "seed" in body:
                self.seed = int(values["seed"])
                self._rng = random.Random(self.seed)
