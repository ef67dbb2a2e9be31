"""Seeded Twilio faults over real HTTP: 429/5xx on every Messages endpoint, latency, and
status callbacks that come late, twice or out of order, seen by a receiving endpoint."""

from __future__ import annotations

import time
from collections.abc import Iterator
from itertools import pairwise

import httpx
import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from sandbox.booking import DEMO_API_KEY, DEMO_API_SECRET, BookingSandbox
from sandbox.faults import SandboxFaults
from sandbox.server import SandboxServer
from sandbox.twilio import DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, DEMO_NUMBER, TwilioSandbox
from sandbox.twilio.fault_rates import ON_TIME, CallbackFault, TwilioFaultRates
from tests.sandbox.twilio.conftest import FAST_STEPS
from tests.sandbox.twilio.receiver import Received, Receiver

PATIENT = "+31612345678"
MESSAGES = f"/2010-04-01/Accounts/{DEMO_ACCOUNT_SID}/Messages.json"


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[TwilioSandbox, SandboxServer]]:
    """The conftest's server, but with the Twilio faults behind `/_sandbox/faults`."""
    booking = BookingSandbox(DEMO_API_KEY, DEMO_API_SECRET)
    with TwilioSandbox(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, step_delay=FAST_STEPS) as sandbox:
        faults = SandboxFaults(twilio=sandbox.fault_rates)
        with SandboxServer(booking, extra_routes=sandbox.routes(), faults=faults) as server:
            yield sandbox, server
    booking.close()


def set_faults(http: httpx.Client, body: dict[str, object]) -> dict[str, object]:
    answer = http.put("/_sandbox/faults", json=body)
    assert answer.status_code == 200, answer.text
    twilio: dict[str, object] = answer.json()["twilio"]
    return twilio


def injected(http: httpx.Client) -> dict[str, int]:
    counts: dict[str, int] = http.get("/_sandbox/faults").json()["twilio"]["injected"]
    return counts


def statuses(hooks: list[Received]) -> list[str]:
    return [h.params["MessageStatus"] for h in hooks]


def send(client: Client, receiver: Receiver) -> str:
    message = client.messages.create(
        to=PATIENT, from_=DEMO_NUMBER, body="Hoi", status_callback=receiver.url("/status"))
    return str(message.sid)


def test_off_by_default(http: httpx.Client, client: Client, receiver: Receiver,
                        twilio_sandbox: TwilioSandbox) -> None:
    state = http.get("/_sandbox/faults").json()["twilio"]
    assert state == {
        "rate_limit_rate": 0.0, "error_rate": 0.0, "latency_ms": 0.0,
        "callback_late_rate": 0.0, "callback_late_seconds": 2.0, "callback_twice_rate": 0.0,
        "callback_reorder_rate": 0.0, "seed": 0, "injected": {},
    }
    send(client, receiver)
    assert statuses(receiver.wait_for(2)) == ["sent", "delivered"]
    assert twilio_sandbox.wait_idle() and len(receiver.requests) == 2


def test_rate_limit_comes_before_the_message_exists(
    http: httpx.Client, client: Client, twilio_sandbox: TwilioSandbox
) -> None:
    set_faults(http, {"twilio": {"rate_limit_rate": 1}})
    response = http.post(MESSAGES, data={"To": PATIENT, "From": DEMO_NUMBER, "Body": "x"})
    assert response.status_code == 429
    assert response.json() == {
        "code": 20429, "message": "Too Many Requests",
        "more_info": "https://www.twilio.com/docs/errors/20429", "status": 429,
    }
    with pytest.raises(TwilioRestException) as refused:
        client.messages.create(to=PATIENT, from_=DEMO_NUMBER, body="x")
    assert (refused.value.status, refused.value.code) == (429, 20429)
    assert twilio_sandbox.messages() == []  # nothing was created
    assert injected(http) == {"rate_limit": 2}


def test_server_errors_on_create_fetch_and_list(
    http: httpx.Client, client: Client, twilio_sandbox: TwilioSandbox
) -> None:
    sid = client.messages.create(to=PATIENT, from_=DEMO_NUMBER, body="x").sid
    set_faults(http, {"twilio": {"error_rate": 1}})
    answers = [
        http.post(MESSAGES, data={"To": PATIENT, "From": DEMO_NUMBER, "Body": "x"}),
        http.get(MESSAGES),
        http.get(MESSAGES.replace(".json", f"/{sid}.json")),
    ]
    for answer in answers:
        body = answer.json()
        assert (answer.status_code, body["code"]) in {(500, 20500), (503, 20503)}
        assert body["status"] == answer.status_code
    with pytest.raises(TwilioRestException):
        client.messages(sid).fetch()
    assert len(twilio_sandbox.messages()) == 1
    assert injected(http) == {"error": 4}


def test_latency_is_added_to_each_call(http: httpx.Client) -> None:
    set_faults(http, {"twilio": {"latency_ms": 150}})
    started = time.monotonic()
    assert http.get(MESSAGES).status_code == 200
    assert time.monotonic() - started >= 0.15


def test_the_same_seed_gives_the_same_answers(http: httpx.Client) -> None:
    def run() -> list[int]:
        set_faults(http, {"seed": 11, "twilio": {"rate_limit_rate": 0.3, "error_rate": 0.3}})
        return [http.get(MESSAGES).status_code for _ in range(30)]

    first = run()
    assert run() == first  # setting the seed again restarts the sequence
    assert {200, 429} <= set(first) and set(first) & {500, 503}
    set_faults(http, {"seed": 12})
    assert [http.get(MESSAGES).status_code for _ in range(30)] != first


def test_callbacks_twice_carry_one_token(
    http: httpx.Client, client: Client, receiver: Receiver, twilio_sandbox: TwilioSandbox
) -> None:
    set_faults(http, {"twilio": {"callback_twice_rate": 1}})
    send(client, receiver)
    hooks = receiver.wait_for(4)
    assert twilio_sandbox.wait_idle()
    assert statuses(hooks) == ["sent", "sent", "delivered", "delivered"]
    tokens = [h.headers["i-twilio-idempotency-token"] for h in hooks]
    assert tokens[0] == tokens[1] != tokens[2] == tokens[3]
    validator = RequestValidator(DEMO_AUTH_TOKEN)
    assert all(validator.validate(h.url, h.params, h.signature) for h in hooks)
    assert injected(http) == {"callback_twice": 2}


def test_a_later_status_is_called_back_before_the_earlier_one(
    http: httpx.Client, client: Client, receiver: Receiver, twilio_sandbox: TwilioSandbox
) -> None:
    set_faults(http, {"twilio": {"callback_reorder_rate": 1}})
    sid = send(client, receiver)
    hooks = receiver.wait_for(2)
    assert statuses(hooks) == ["delivered", "sent"]  # delivered before sent
    assert {h.params["MessageSid"] for h in hooks} == {sid}
    assert twilio_sandbox.wait_idle() and len(receiver.requests) == 2
    assert injected(http) == {"callback_reorder": 1}


def seed_for(plan: list[CallbackFault], **rates: float) -> int:
    """A seed whose first message gets `plan` (plans are reproducible, so search)."""
    for seed in range(1000):
        if TwilioFaultRates(seed=seed, **rates).plan_callbacks(len(plan)) == plan:
            return seed
    raise AssertionError("no seed gives that plan")


def test_a_late_callback_is_overtaken(
    http: httpx.Client, client: Client, receiver: Receiver, twilio_sandbox: TwilioSandbox
) -> None:
    seed = seed_for([CallbackFault(late=True), ON_TIME], callback_late_rate=0.5)
    set_faults(http, {"seed": seed, "twilio": {"callback_late_rate": 0.5,
                                               "callback_late_seconds": 0.3}})
    started = time.monotonic()
    send(client, receiver)
    assert statuses(receiver.wait_for(1)) == ["delivered"]
    assert statuses(receiver.wait_for(2)) == ["delivered", "sent"]
    assert time.monotonic() - started >= 0.3
    assert twilio_sandbox.wait_idle() and injected(http) == {"callback_late": 1}


def test_wait_idle_waits_for_late_callbacks(
    http: httpx.Client, client: Client, receiver: Receiver, twilio_sandbox: TwilioSandbox
) -> None:
    set_faults(http, {"twilio": {"callback_late_rate": 1, "callback_late_seconds": 0.1}})
    send(client, receiver)
    assert twilio_sandbox.wait_idle()  # returns only when the late ones went out too
    assert sorted(statuses(receiver.requests)) == ["delivered", "sent"]
    assert injected(http) == {"callback_late": 2}


def test_callback_plans_are_reproducible_and_well_formed() -> None:
    rates = {"callback_late_rate": 0.3, "callback_twice_rate": 0.3, "callback_reorder_rate": 0.3}
    plans = [TwilioFaultRates(seed=5, **rates).plan_callbacks(3) for _ in range(2)]
    assert plans[0] == plans[1]
    many = TwilioFaultRates(seed=5, **rates)
    for plan in (many.plan_callbacks(3) for _ in range(300)):
        assert not plan[-1].reorder  # the last status has nothing to wait for
        for first, second in pairwise(plan):
            assert not (first.reorder and (second.reorder or second.late))
        assert not any(step.reorder and step.late for step in plan)
    assert TwilioFaultRates().plan_callbacks(3) == [ON_TIME] * 3  # off by default
    assert TwilioFaultRates().decide_api() is None


def test_reset_restores_the_constructor_rates(twilio_sandbox: TwilioSandbox) -> None:
    twilio_sandbox.fault_rates.update_from_json({"error_rate": 0.5, "seed": 3})
    twilio_sandbox.fault_rates.count("error")
    twilio_sandbox.reset()
    assert twilio_sandbox.fault_rates.to_json()["error_rate"] == 0.0
    assert twilio_sandbox.fault_rates.to_json()["injected"] == {}


def test_queued_faults_still_work_and_are_counted(
    http: httpx.Client, client: Client, twilio_sandbox: TwilioSandbox
) -> None:
    twilio_sandbox.faults.push(429)
    with pytest.raises(TwilioRestException) as refused:
        client.messages.create(to=PATIENT, from_=DEMO_NUMBER, body="x")
    assert refused.value.code == 20429
    assert client.messages.create(to=PATIENT, from_=DEMO_NUMBER, body="x").status == "queued"
    assert injected(http) == {"rate_limit": 1}
