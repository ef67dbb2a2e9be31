"""`/_sandbox/faults` for the whole sandbox: every section, partial updates, one seed,
and a bad request that changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from sandbox.app import create_app
from sandbox.booking import DEMO_API_KEY, DEMO_API_SECRET, BookingSandbox
from sandbox.booking.faults import BookingFaults
from sandbox.faults import SandboxFaults
from sandbox.server import SandboxServer

OFF = {
    "booking": {"error_rate": 0.0, "hang_rate": 0.0, "hang_seconds": 15.0, "latency_ms": 0.0,
                "page_failure_rate": 0.0, "seed": 0, "injected": {}},
    "twilio": {"rate_limit_rate": 0.0, "error_rate": 0.0, "latency_ms": 0.0,
               "callback_late_rate": 0.0, "callback_late_seconds": 2.0,
               "callback_twice_rate": 0.0, "callback_reorder_rate": 0.0, "seed": 0,
               "injected": {}},
    "mail": {"temporary_failure_rate": 0.0, "drop_rate": 0.0, "seed": 0, "injected": {}},
}


@pytest.fixture(scope="module")
def booking() -> Iterator[BookingSandbox]:
    sandbox = BookingSandbox(DEMO_API_KEY, DEMO_API_SECRET)
    yield sandbox
    sandbox.close()


@pytest.fixture(scope="module")
def _served(booking: BookingSandbox) -> Iterator[tuple[SandboxServer, SandboxFaults]]:
    faults = SandboxFaults.complete()
    with SandboxServer(booking, faults=faults) as server:
        yield server, faults


@pytest.fixture
def http(_served: tuple[SandboxServer, SandboxFaults]) -> Iterator[httpx.Client]:
    server, faults = _served
    for section in faults.sections().values():
        section.reset()
    with httpx.Client(base_url=server.base_url, trust_env=False) as client:
        yield client


def test_every_section_off_by_default(http: httpx.Client) -> None:
    assert http.get("/_sandbox/faults").json() == OFF


def test_partial_updates_of_several_sections(http: httpx.Client) -> None:
    answer = http.put("/_sandbox/faults", json={
        "twilio": {"rate_limit_rate": 0.1, "callback_late_seconds": 5},
        "mail": {"drop_rate": 0.25},
    })
    assert answer.status_code == 200
    state = answer.json()
    assert state == http.get("/_sandbox/faults").json()
    assert state["twilio"] == {**OFF["twilio"], "rate_limit_rate": 0.1,
                               "callback_late_seconds": 5.0}
    assert state["mail"] == {**OFF["mail"], "drop_rate": 0.25}
    assert state["booking"] == OFF["booking"]
    http.put("/_sandbox/faults", json={"twilio": {"error_rate": 0.2}})
    twilio = http.get("/_sandbox/faults").json()["twilio"]
    assert (twilio["rate_limit_rate"], twilio["error_rate"]) == (0.1, 0.2)  # kept, added


def test_one_seed_for_all_unless_a_section_gives_its_own(http: httpx.Client) -> None:
    state = http.put("/_sandbox/faults", json={"seed": 9, "mail": {"seed": 2}}).json()
    assert [state[name]["seed"] for name in ("booking", "twilio", "mail")] == [9, 9, 2]


@pytest.mark.parametrize(("body", "named"), [
    ([], "JSON object"),
    ({"nope": {}}, "nope"),
    ({"twilio": {"nope": 1}}, "twilio: unknown setting(s) nope"),
    ({"twilio": {"error_rate": "0.1"}}, "twilio: error_rate must be a number"),
    ({"twilio": {"error_rate": True}}, "twilio: error_rate must be a number"),
    ({"mail": {"drop_rate": 1.5}}, "mail: drop_rate must be a share from 0 to 1"),
    ({"booking": {"error_rate": -0.1}}, "booking: error_rate"),
    ({"twilio": {"latency_ms": 10**6}}, "twilio: latency_ms"),
    ({"twilio": {"rate_limit_rate": 0.6, "error_rate": 0.6}}, "must not exceed 1"),
    ({"twilio": {"injected": {}}}, "twilio: injected is read-only"),
    ({"twilio": []}, "twilio: expected a JSON object"),
    ({"seed": "x"}, "seed must be a whole number"),
    ({"seed": 1.5}, "seed must be a whole number"),
    # a good section next to a bad one: the good one is not applied either
    ({"twilio": {"error_rate": 0.2}, "mail": {"drop_rate": 2}}, "mail: drop_rate"),
    ({"seed": 5, "booking": {"error_rate": 0.5}, "twilio": {"seed": "y"}}, "twilio: seed"),
])
def test_bad_requests_are_refused_and_change_nothing(
    http: httpx.Client, body: Any, named: str
) -> None:
    answer = http.put("/_sandbox/faults", json=body)
    assert answer.status_code == 400
    assert named in answer.json()["error"]
    assert http.get("/_sandbox/faults").json() == OFF


def test_a_body_that_is_not_json_is_refused(http: httpx.Client) -> None:
    answer = http.put("/_sandbox/faults", content=b"{not json")
    assert answer.status_code == 400 and "error" in answer.json()


def test_without_twilio_or_mail_only_booking_is_there(booking: BookingSandbox) -> None:
    with SandboxServer(booking) as server, httpx.Client(base_url=server.base_url) as http:
        assert http.get("/_sandbox/faults").json() == {"booking": OFF["booking"]}
        refused = http.put("/_sandbox/faults", json={"mail": {"drop_rate": 0.1}})
        assert refused.status_code == 400 and "no SMTP sink" in refused.json()["error"]
        answer = http.put("/_sandbox/faults", json={"seed": 4, "booking": {"error_rate": 0.5}})
        assert answer.json() == {"booking": {**OFF["booking"], "seed": 4, "error_rate": 0.5}}


def test_a_bare_booking_faults_object_still_works(booking: BookingSandbox) -> None:
    app = create_app(booking, faults=BookingFaults(error_rate=1.0))  # the earlier form
    assert app.state.faults.to_json() == {
        "booking": {**OFF["booking"], "error_rate": 1.0}}


def test_sections_draw_from_their_own_generators() -> None:
    def booking_kinds(faults: SandboxFaults, with_twilio: bool) -> list[str]:
        kinds = []
        for _ in range(50):
            if with_twilio:
                assert faults.twilio is not None
                faults.twilio.decide_api()
            decided = faults.booking.decide("getAgendas", "")
            kinds.append(decided.kind if decided else "-")
        return kinds

    def faults(seed: int) -> SandboxFaults:
        all_of_them = SandboxFaults.complete()
        all_of_them.update_from_json({"seed": seed, "booking": {"error_rate": 0.5},
                                      "twilio": {"error_rate": 0.5}})
        return all_of_them

    alone = booking_kinds(faults(3), with_twilio=False)
    assert booking_kinds(faults(3), with_twilio=True) == alone  # twilio's draws don't shift it
    assert booking_kinds(faults(4), with_twilio=False) != alone
