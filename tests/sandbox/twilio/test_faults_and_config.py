"""Injected faults, the config endpoint, and slow answers that still overlap."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from sandbox.server import SandboxServer
from sandbox.twilio import DEMO_ACCOUNT_SID, DEMO_NUMBER, TwilioSandbox
from tests.sandbox.twilio.conftest import twilio_client

PATIENT = "+31612345678"
MESSAGES = f"/2010-04-01/Accounts/{DEMO_ACCOUNT_SID}/Messages.json"


def test_429_then_503_then_success(client: Client, http: httpx.Client) -> None:
    faults = {"next": [{"status": 429, "code": 20429}, {"status": 503}]}
    assert http.put("/_sandbox/twilio/faults", json=faults).json() == faults
    with pytest.raises(TwilioRestException) as excinfo:
        client.messages.create(to=PATIENT, from_=DEMO_NUMBER, body="x")
    assert (excinfo.value.status, excinfo.value.code) == (429, 20429)
    response = http.post(MESSAGES, data={"To": PATIENT, "From": DEMO_NUMBER, "Body": "x"})
    assert response.json() == {
        "code": 20503,
        "message": "Service Unavailable",
        "more_info": "https://www.twilio.com/docs/errors/20503",
        "status": 503,
    }
    assert client.messages.create(to=PATIENT, from_=DEMO_NUMBER, body="x").status == "queued"
    assert http.get("/_sandbox/twilio/faults").json() == {"next": []}
    assert len(client.messages.list()) == 1  # refused calls created nothing


def test_faults_only_hit_create_calls(client: Client, twilio_sandbox: TwilioSandbox) -> None:
    twilio_sandbox.faults.push(500)
    assert client.messages.list() == []  # a list call does not consume the fault
    with pytest.raises(TwilioRestException) as excinfo:
        client.messages.create(to=PATIENT, from_=DEMO_NUMBER, body="x")
    assert (excinfo.value.status, excinfo.value.code) == (500, 20500)


def test_fault_with_retry_after_and_own_message(
    http: httpx.Client, twilio_sandbox: TwilioSandbox
) -> None:
    twilio_sandbox.faults.push(429, message="Slow down", retry_after=2)
    response = http.post(MESSAGES, data={"To": PATIENT, "From": DEMO_NUMBER, "Body": "x"})
    assert response.status_code == 429 and response.headers["retry-after"] == "2"
    assert response.json()["message"] == "Slow down"
    twilio_sandbox.faults.push(503)
    assert http.delete("/_sandbox/twilio/faults").json() == {"next": []}


@pytest.mark.parametrize(
    "body",
    [
        {"next": [{"status": 200}]},
        {"next": [{"status": "429"}]},
        {"next": [{"status": 429, "color": "red"}]},
        {"next": {"status": 429}},
        {"faults": []},
        [],
    ],
)
def test_bad_faults_are_refused(http: httpx.Client, body: object) -> None:
    response = http.put("/_sandbox/twilio/faults", json=body)
    assert response.status_code == 400 and "error" in response.json()


def test_config_round_trip(http: httpx.Client, twilio_sandbox: TwilioSandbox) -> None:
    before = http.get("/_sandbox/twilio/config").json()
    assert before["response_delay_ms"] == 0 and before["inbound_url"] is None
    assert before["delivery_failures"]["30003"] == 30003
    changed = http.put(
        "/_sandbox/twilio/config",
        json={"response_delay_ms": 10, "step_delay_ms": 5, "inbound_url": "http://x.test/in"},
    ).json()
    assert (changed["response_delay_ms"], changed["step_delay_ms"]) == (10, 5)
    assert twilio_sandbox.settings.response_delay == 0.01
    assert twilio_sandbox.settings.inbound_url == "http://x.test/in"
    assert (
        http.put("/_sandbox/twilio/config", json={"inbound_url": None}).json()["inbound_url"]
        is None
    )


@pytest.mark.parametrize(
    "body",
    [
        {"response_delay_ms": -1},
        {"step_delay_ms": "50"},
        {"inbound_url": "ftp://x"},
        {"delivery_failures": {"abc": 30003}},
        {"delivery_failures": {"0003": 21211}},
        {"speed": 1},
        [1],
    ],
)
def test_bad_config_is_refused(http: httpx.Client, body: object) -> None:
    response = http.put("/_sandbox/twilio/config", json=body)
    assert response.status_code == 400 and "error" in response.json()


def test_slow_answers_do_not_serialise(server: SandboxServer, http: httpx.Client) -> None:
    delay, count = 0.15, 20
    http.put("/_sandbox/twilio/config", json={"response_delay_ms": delay * 1000})
    clients = [twilio_client(server.base_url) for _ in range(count)]
    start_together = threading.Barrier(count)

    def send(client: Client) -> str:
        start_together.wait()
        sid: str = client.messages.create(to=PATIENT, from_=DEMO_NUMBER, body="x").sid
        return sid

    started = time.monotonic()
    with ThreadPoolExecutor(count) as pool:
        sids = list(pool.map(send, clients))
    elapsed = time.monotonic() - started
    assert len(set(sids)) == count
    assert delay <= elapsed < 5 * delay, f"{count} requests took {elapsed:.2f} s"


def test_control_listings(
    client: Client, http: httpx.Client, twilio_sandbox: TwilioSandbox
) -> None:
    sent = client.messages.create(to=PATIENT, from_=DEMO_NUMBER, body="x")
    received = twilio_sandbox.receive(PATIENT, "JA")
    everything = http.get("/_sandbox/twilio/messages").json()
    assert [m["sid"] for m in everything] == [received["sid"], sent.sid]
    inbound = http.get("/_sandbox/twilio/messages", params={"direction": "inbound"}).json()
    assert [m["sid"] for m in inbound] == [received["sid"]]
    assert twilio_sandbox.messages("outbound-api")[0]["sid"] == sent.sid
    assert http.get("/_sandbox/twilio/callbacks").json() == []
