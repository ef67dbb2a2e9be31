"""The bridge's client against the sandbox over real HTTP, at a fixed moment in time.

The sandbox and the client share no protocol code, so these tests catch a mistake in
either one. Both read the same manual clock: a Monday morning in Amsterdam.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from typing import Any

import pytest

from bridge.booking import BookingClient, RetryPolicy
from sandbox.booking import BookingSandbox
from sandbox.clock import ManualClock
from sandbox.server import SandboxServer

API_KEY = "contracttest-a1b2c3"
API_SECRET = "9f8e7d6c5b4a39281716051423324150607a8b9c"
#: Monday 30 November 2026, 08:00 in Amsterdam (07:00 UTC).
MONDAY_MORNING = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)


@dataclass
class Stack:
    server: SandboxServer
    booking: BookingSandbox
    clock: ManualClock
    api: BookingClient


def demo_data_with_required_field() -> dict[str, Any]:
    """The shipped demo data, with the appointment field "Klacht" made required."""
    data: dict[str, Any] = json.loads((resources.files("sandbox.booking") / "demo_data.json")
                                      .read_text(encoding="utf-8"))
    for field in data["Fields"]:
        if field["Type"] == "Appointment":
            field["Required"] = 1
    return data


@pytest.fixture
def stack(request: pytest.FixtureRequest) -> Iterator[Stack]:
    clock = ManualClock(MONDAY_MORNING)
    data = demo_data_with_required_field() if request.node.get_closest_marker("required_field") \
        else None
    booking = BookingSandbox(API_KEY, API_SECRET, clock=clock, data=data)
    with SandboxServer(booking) as server:
        api = BookingClient(
            server.api_url,
            API_KEY,
            API_SECRET,
            clock=clock,
            retry=RetryPolicy(attempts=2, base_delay=0.01, max_delay=0.01),
        )
        yield Stack(server, booking, clock, api)
        api.close()
