"""What every fuzz test here shares: a deterministic Hypothesis budget and a hang guard.

Each property runs a fixed number of examples, derandomized (the same inputs on every
run, in CI as here) and with no example database, so a failure is reproducible from
the test alone. Hypothesis's per-example deadline is off: on a noisy two-core machine
it measures the neighbours. A CPU-time guard takes its place: `no_hang` interrupts a
parse that burns more than its limit of this process's CPU (SIGPROF, so also a loop
that never returns) and fails; a block that waits forever is stopped after a minute.
CPU time, not wall-clock time, so a busy machine (other suites, a soak) does not turn a
bounded parse into a false hang, while an expansion (billion laughs) still blows far
past it.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from hypothesis import HealthCheck, settings

#: CPU seconds one parse of one bounded input may take before it counts as a hang (the
#: widest hostile document here takes about 1.6).
HANG_SECONDS = 5.0
#: Wall-clock seconds after which a block that waits (using no CPU) counts as a hang.
IDLE_HANG_SECONDS = 60.0


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
    """A call ran past its CPU-time limit."""


@contextmanager
def no_hang(seconds: float = HANG_SECONDS) -> Iterator[None]:
    """Fail when the block uses more than `seconds` of CPU (interrupting it if it must)."""

    def interrupt(_signum: int, _frame: FrameType | None) -> None:
        raise Hang(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGPROF, interrupt)
    previous_alarm = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    signal.setitimer(signal.ITIMER_REAL, IDLE_HANG_SECONDS)  # a wait that never ends
    started = time.process_time()
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGPROF, previous)
        signal.signal(signal.SIGALRM, previous_alarm)
    elapsed = time.process_time() - started
    assert elapsed < seconds, f"took {elapsed:.2f} s (limit {seconds} s)"
