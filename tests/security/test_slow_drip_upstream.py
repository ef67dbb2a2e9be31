"""Finding 4 of issue #15, time: a booking API dripping one byte every few seconds held
one call for 600 s, because the API timeout acted per read. It now bounds each attempt
as a whole (connect, headers and body), and a call with its retries ends within its
documented budget (`RetryPolicy.call_budget`); a stopping worker's call ends at once.

A real server on a free port drips a valid answer, status line and headers included,
one byte every 0.3 s (so no single read ever waits long); the real client calls it.
The bounds are generous, for a loaded machine: each is a bound, not a timing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from bridge.booking import BookingClient, BookingTransportError, RetryPolicy
from tests.support.hostile_upstream import HostileUpstream

API_TIMEOUT = 2.0
SLACK = 5.0
DRIP_SECONDS = 0.3


def ends_within(seconds: float, call: Callable[[], object]) -> BaseException:
    """Run `call` in a thread; it must raise within `seconds`. Returns what it raised."""
    pool = ThreadPoolExecutor(max_workers=1)
    started = time.monotonic()
    future = pool.submit(call)
    try:
        error = future.exception(timeout=seconds)
    except TimeoutError:
        raise AssertionError(f"the call was still running after {seconds} s") from None
    finally:
        pool.shutdown(wait=False)
    assert error is not None, "the dripping upstream's answer was accepted"
    assert time.monotonic() - started < seconds
    return error


def test_one_attempt_ends_within_the_api_timeout() -> None:
    with HostileUpstream.drip(DRIP_SECONDS) as upstream, BookingClient(
        upstream.url, "key", "s" * 40, timeout=API_TIMEOUT, retry=RetryPolicy(attempts=1)
    ) as client:
        error = ends_within(API_TIMEOUT + SLACK, client.get_agendas)
    assert isinstance(error, BookingTransportError), repr(error)
    assert "timed out" in str(error)


def test_a_call_with_its_retries_ends_within_its_budget() -> None:
    retry = RetryPolicy()
    # `RetryPolicy.call_budget`: four attempts and a re-sign, and the longest waits
    # before the three retries.
    budget = (retry.attempts + 1) * API_TIMEOUT + 0.25 + 0.5 + 1.0
    with HostileUpstream.drip(DRIP_SECONDS) as upstream, BookingClient(
        upstream.url, "key", "s" * 40, timeout=API_TIMEOUT, retry=retry
    ) as client:
        error = ends_within(budget + SLACK, client.get_agendas)
        assert upstream.requests == retry.attempts
    assert isinstance(error, BookingTransportError), repr(error)


@pytest.mark.parametrize("timeout", [API_TIMEOUT, 60.0])
def test_an_aborted_call_ends_at_once(timeout: float) -> None:
    with HostileUpstream.drip(DRIP_SECONDS) as upstream, BookingClient(
        upstream.url, "key", "s" * 40, timeout=timeout
    ) as client:
        threading.Timer(0.5, client.transport.abort).start()
        error = ends_within(0.5 + SLACK, client.get_agendas)
        assert upstream.requests == 1  # an aborted call is not retried
    assert type(error).__name__ == "BookingCallAborted", repr(error)  # new in #15
