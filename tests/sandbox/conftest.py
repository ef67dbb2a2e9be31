"""Fixtures for the booking sandbox tests: a frozen clock, a demo sandbox, a signing client."""

from __future__ import annotations

import pytest

from sandbox.booking import DEMO_API_KEY, DEMO_API_SECRET, BookingSandbox
from sandbox.clock import ManualClock
from tests.sandbox.testkit import START, Api, small_data


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def booking(clock: ManualClock) -> BookingSandbox:
    return BookingSandbox(DEMO_API_KEY, DEMO_API_SECRET, clock=clock)


@pytest.fixture
def api(booking: BookingSandbox, clock: ManualClock) -> Api:
    return Api(booking, clock)


@pytest.fixture
def small_api(clock: ManualClock) -> Api:
    return Api(BookingSandbox(DEMO_API_KEY, DEMO_API_SECRET, clock=clock, data=small_data()), clock)
