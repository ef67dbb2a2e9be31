"""The rules every section of seeded faults shares: checked numbers, one seed, counters.

The booking API, the Twilio API and the SMTP sink each have a dataclass of fault
settings (shares from 0 to 1, delays) plus a `seed`. They are changed over HTTP and from
flags, so the checks live here once: `check(body)` validates a partial update and
returns the changes without touching anything, `apply(changes)` makes them. That split
lets `PUT /_sandbox/faults` check every section before it changes any.

Each section draws from its own generators, seeded from the one seed and the section's
name (`random.Random("42:twilio")`), so switching faults on in one section does not
shift the sequence of another, and the same seed and the same calls give the same faults.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

__all__ = ["MILLISECONDS", "RATE", "SECONDS", "Limit", "SeededFaults", "check_seed",
           "seeded_random"]


@dataclass(frozen=True, slots=True)
class Limit:
    """The allowed range of one numeric setting, and how to say it in an error."""

    low: float
    high: float
    what: str

    def check(self, name: str, value: object) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{name} must be a number, not {value!r}")
        if not self.low <= value <= self.high:  # also refuses NaN
            raise ValueError(f"{name} must be {self.what}, not {value!r}")
        return float(value)


RATE = Limit(0.0, 1.0, "a share from 0 to 1")
MILLISECONDS = Limit(0.0, 60_000.0, "a number of milliseconds from 0 to 60000")
SECONDS = Limit(0.0, 3600.0, "a number of seconds from 0 to 3600")


def check_seed(value: object) -> int:
    """A seed is a whole number (JSON `3.0` counts as 3)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"seed must be a whole number, not {value!r}")
    return value


def seeded_random(seed: int, *names: str) -> random.Random:
    """A generator for one section (or one part of it), derived from the shared seed."""
    return random.Random(":".join((str(seed), *names)))


class SeededFaults:
    """Mixin for a fault-settings dataclass with fields `seed`, `injected` and `LIMITS`.

    `SHARES` groups shares that are drawn from one roll (a call gets at most one of
    them), so together they may not exceed 1. Subclasses call `_setup()` from
    `__post_init__` and override `_reseed()` if they need more than one generator.
    """

    SECTION: ClassVar[str]
    LIMITS: ClassVar[Mapping[str, Limit]]
    SHARES: ClassVar[tuple[tuple[str, ...], ...]] = ()
    seed: int
    injected: Counter[str]

    def _setup(self) -> None:
        self._lock = threading.Lock()
        self.seed = check_seed(self.seed)
        self._check_values(self.settings())
        self._initial = self.settings()
        self._reseed()

    def _reseed(self) -> None:
        self._rng = seeded_random(self.seed, self.SECTION)

    def settings(self) -> dict[str, Any]:
        """The current settings (not the counters)."""
        return {**{name: getattr(self, name) for name in self.LIMITS}, "seed": self.seed}

    def _check_values(self, values: Mapping[str, Any]) -> None:
        for name, limit in self.LIMITS.items():
            limit.check(name, values[name])
        for group in self.SHARES:
            if sum(values[name] for name in group) > 1.0:
                raise ValueError(f"{' + '.join(group)} must not exceed 1 (one roll decides)")

    def to_json(self) -> dict[str, Any]:
        with self._lock:
            return {**self.settings(), "injected": dict(self.injected)}

    def check(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """The changes a partial update asks for, checked; ValueError naming the problem."""
        if not isinstance(body, Mapping):
            raise ValueError("expected a JSON object of settings")
        if "injected" in body:
            raise ValueError("injected is read-only (the counts of faults injected so far)")
        unknown = sorted(set(body) - {*self.LIMITS, "seed"})
        if unknown:
            known = ", ".join([*self.LIMITS, "seed"])
            raise ValueError(f"unknown setting(s) {', '.join(unknown)} (known: {known})")
        changes: dict[str, Any] = {}
        for name, value in body.items():
            if name == "seed":
                changes[name] = check_seed(value)
            else:
                changes[name] = self.LIMITS[name].check(name, value)
        with self._lock:
            self._check_values({**self.settings(), **changes})
        return changes

    def apply(self, changes: Mapping[str, Any]) -> None:
        """Make checked changes; a `seed` (even the same one) restarts the sequence."""
        with self._lock:
            for name, value in changes.items():
                setattr(self, name, value)
            if "seed" in changes:
                self._reseed()

    def update_from_json(self, body: Mapping[str, Any]) -> None:
        """Check, then apply (all-or-nothing)."""
        self.apply(self.check(body))

    def count(self, kind: str) -> None:
        with self._lock:
            self.injected[kind] += 1

    def reset(self) -> None:
        """Back to the settings given at construction, counters zero, sequence restarted."""
        self.apply(self._initial)
        with self._lock:
            self.injected.clear()
