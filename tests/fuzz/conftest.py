"""What every fuzz test here shares: a deterministic Hypothesis budget and a hang guard.

Each property runs a fixed number of examples, derandomized (the same inputs on every
run, in CI as here) and with no example database, so a failure is reproducible from
the test alone. Hypothesis's per-example deadline is off: on a noisy two-core machine
it measures the neighbours. A wall-clock guard takes its place: `no_hang` interrupts a
parse that runs past its limit (SIGALRM, so also a loop that never returns) and fails.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from hypothesis import HealthCheck, settings

#: Seconds one parse of one bounded input may take before it counts as a hang.
HANG_SECONDS = 2.0


def fuzz_settings(examples: int) -> settings:
    """`examples` inputs, the same on every run; no deadline (see `no_hang`)."""
    return settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )


class Hang(Exception):
    """A call ran past its wall-clock limit."""


@contextmanager
def no_hang(seconds: float = HANG_SECONDS) -> Iterator[None]:
    """Fail when the block runs longer than `seconds` (interrupting it if it must)."""

    def interrupt(_signum: int, _frame: FrameType | None) -> None:
        raise Hang(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    started = time.monotonic()
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    elapsed = time.monotonic() - started
    assert elapsed < seconds, f"took {elapsed:.2f} s (limit {seconds} s)"
