"""Share-based Twilio faults, reproducible from a seed: the misbehaviour a chaos soak wants.

The queue in `faults.py` says "the next N create calls fail"; this says "a share of all
calls fail", which is what a long run needs. On the Messages endpoints (create, fetch
and list, so the bridge's reconciliation lookups meet them too): `rate_limit_rate`
answers 429 with Twilio's 20429 body, `error_rate` 500 or 503 (20500/20503), and
`latency_ms` is added to every call. A refused create is refused *before* the message
exists, as at Twilio.

Status callbacks: `callback_late_rate` delivers a callback `callback_late_seconds` later
(later steps go out on time and overtake it), `callback_twice_rate` delivers it twice
with the same `I-Twilio-Idempotency-Token` (as a Twilio retry carries), and
`callback_reorder_rate` holds a callback back until the next status's callback went
out (e.g. `delivered` before `sent`). A message's callback faults are planned when it
is created, from a generator of their own, so the plan depends on the order of create
calls only, not on how the background progression of many messages interleaves.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import ClassVar

from sandbox.fault_settings import (
    MILLISECONDS,
    RATE,
    SECONDS,
    Limit,
    SeededFaults,
    seeded_random,
)
from sandbox.twilio import errors

__all__ = ["ApiFault", "CallbackFault", "TwilioFaultRates"]


@dataclass(frozen=True, slots=True)
class ApiFault:
    """What to do to one API call: wait, then answer `error` (None: answer normally)."""

    delay_seconds: float
    error: errors.TwilioApiError | None


@dataclass(frozen=True, slots=True)
class CallbackFault:
    """What happens to one status callback of a message."""

    late: bool = False
    twice: bool = False
    reorder: bool = False


ON_TIME = CallbackFault()


@dataclass
class TwilioFaultRates(SeededFaults):
    SECTION: ClassVar[str] = "twilio"
    LIMITS: ClassVar[dict[str, Limit]] = {
        "rate_limit_rate": RATE, "error_rate": RATE, "latency_ms": MILLISECONDS,
        "callback_late_rate": RATE, "callback_late_seconds": SECONDS,
        "callback_twice_rate": RATE, "callback_reorder_rate": RATE,
    }
    SHARES: ClassVar[tuple[tuple[str, ...], ...]] = (("rate_limit_rate", "error_rate"),)

    rate_limit_rate: float = 0.0
    error_rate: float = 0.0
    latency_ms: float = 0.0
    callback_late_rate: float = 0.0
    callback_late_seconds: float = 2.0
    callback_twice_rate: float = 0.0
    callback_reorder_rate: float = 0.0
    seed: int = 0
    injected: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self._setup()

    def _reseed(self) -> None:
        self._rng = seeded_random(self.seed, self.SECTION)
        self._callback_rng = seeded_random(self.seed, self.SECTION, "callbacks")

    def decide_api(self) -> ApiFault | None:
        """The fault for one Messages API call (after authentication), if any."""
        with self._lock:
            delay = self.latency_ms / 1000
            roll = self._rng.random()
            if roll < self.rate_limit_rate:
                self.injected["rate_limit"] += 1
                return ApiFault(delay, errors.fault(429))
            if roll < self.rate_limit_rate + self.error_rate:
                self.injected["error"] += 1
                return ApiFault(delay, errors.fault(self._rng.choice((500, 503))))
            return ApiFault(delay, None) if delay else None

    def plan_callbacks(self, steps: int) -> list[CallbackFault]:
        """Faults for the callbacks of a new message's `steps` remaining statuses.

        Three draws per step whatever comes out, so one message's plan never shifts the
        next one's. A held-back (reordered) callback goes out right after the next one,
        so that next one is neither held nor late, and the last step cannot be held.
        """
        plan: list[CallbackFault] = []
        with self._lock:
            held = False
            for index in range(steps):
                late, twice, reorder = (self._callback_rng.random() for _ in range(3))
                hold = not held and index < steps - 1 and reorder < self.callback_reorder_rate
                plan.append(CallbackFault(
                    late=not hold and not held and late < self.callback_late_rate,
                    twice=twice < self.callback_twice_rate,
                    reorder=hold,
                ))
                held = hold
        return plan
