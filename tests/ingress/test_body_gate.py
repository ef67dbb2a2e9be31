"""The body gate's bookkeeping and the allocator hook it calls when a burst ends.

Over HTTP, the limits are in tests/security/test_slow_bodies.py; here the rules that
are hard to see from outside: a place is given back whatever ends the read, and
memory is handed back once per burst, not after every request.
"""

from __future__ import annotations

import sys

import pytest

from bridge.http import allocator
from bridge.http.body import BodyGate, BodyLimits
from bridge.http.problems import Problem


def test_a_place_is_given_back_however_the_read_ends() -> None:
    gate = BodyGate(BodyLimits(concurrent=1))
    with pytest.raises(Problem), gate.slot():
        raise Problem(413, "too large")
    with gate.slot():
        assert gate.reading == 1
        with pytest.raises(Problem) as refused, gate.slot():
            pass
    assert gate.reading == 0
    assert refused.value.status == 503 and refused.value.headers is not None
    assert refused.value.headers["Retry-After"] == "2"
    assert refused.value.headers["Connection"] == "close"


def test_memory_is_handed_back_when_a_burst_ends_not_after_every_read() -> None:
    idle: list[int] = []
    gate = BodyGate(BodyLimits(concurrent=8, burst=3), on_idle=lambda: idle.append(1))
    with gate.slot():
        pass
    assert idle == []  # one read is no burst
    with gate.slot(), gate.slot(), gate.slot():
        pass
    assert idle == [1]
    with gate.slot():
        pass
    assert idle == [1]  # the peak starts again after each idle moment


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator only")
def test_the_allocator_can_be_tuned_and_trimmed_here() -> None:
    assert allocator.tune() is True
    allocator.release()  # whether pages were freed depends on the heap; it must not fail
