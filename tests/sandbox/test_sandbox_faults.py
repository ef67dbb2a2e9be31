"""Injected booking-API faults: HTTP errors, broken pages, reproducible from a seed."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from bridge.booking import BookingClient, BookingTransportError, RetryPolicy
from sandbox.booking import DEMO_API_KEY, DEMO_API_SECRET, BookingSandbox
from sandbox.booking.faults import BookingFaults
from sandbox.server import SandboxServer


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    with SandboxServer(BookingSandbox(DEMO_API_KEY, DEMO_API_SECRET)) as running:
        yield running


def client(server: SandboxServer) -> BookingClient:
    return BookingClient(server.api_url, DEMO_API_KEY, DEMO_API_SECRET,
                         retry=RetryPolicy(attempts=2, base_delay=0.001, max_delay=0.001))


def test_every_call_failing_is_a_transport_error(server: SandboxServer) -> None:
    answer = httpx.put(f"{server.base_url}/_sandbox/faults",
                       json={"booking": {"error_rate": 1.0, "seed": 3}})
    assert answer.status_code == 200
    with client(server) as api, pytest.raises(BookingTransportError, match="HTTP 50"):
        api.get_agendas()
    state = httpx.get(f"{server.base_url}/_sandbox/faults").json()["booking"]
    assert state["injected"] == {"error": 2} and state["error_rate"] == 1.0


def test_later_pages_fail_but_the_first_does_not(server: SandboxServer) -> None:
    httpx.put(f"{server.base_url}/_sandbox/faults", json={"booking": {"page_failure_rate": 1}})
    with client(server) as api:
        agenda = api.get_agendas()[0].id
        assert api.get_appointments(agenda, limit=2, offset=0).items
        with pytest.raises(BookingTransportError):
            api.get_appointments(agenda, limit=2, offset=2)


@pytest.mark.parametrize("body", [{"booking": {"error_rate": 2}}, {"booking": {"nope": 1}},
                                  {"booking": {"latency_ms": "slow"}}, {"booking": []}])
def test_bad_fault_settings_are_refused(server: SandboxServer, body: object) -> None:
    answer = httpx.put(f"{server.base_url}/_sandbox/faults", json=body)
    assert answer.status_code == 400 and "error" in answer.json()


def test_the_same_seed_gives_the_same_faults() -> None:
    def run(seed: int) -> list[str]:
        faults = BookingFaults(error_rate=0.3, hang_rate=0.1, page_failure_rate=0.5, seed=seed)
        decided = [faults.decide("getAppointments", str(i % 3)) for i in range(200)]
        return [d.kind if d else "-" for d in decided]

    assert run(7) == run(7)
    assert run(7) != run(8)
    assert {"error", "hang", "page_failure", "-"} <= set(run(7))


def test_latency_only_delays() -> None:
    injected = BookingFaults(latency_ms=40).decide("getAgendas", "")
    assert injected is not None and injected.status == 0 and injected.delay_seconds == 0.04
