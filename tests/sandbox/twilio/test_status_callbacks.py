"""Status callbacks: order, Twilio's form, a signature the `twilio` package accepts,
failure outcomes, and Twilio's retry rules (connection overrides)."""

from __future__ import annotations

import httpx
import pytest
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from sandbox.twilio import (
    DEMO_ACCOUNT_SID,
    DEMO_AUTH_TOKEN,
    DEMO_MESSAGING_SERVICE_SID,
    DEMO_NUMBER,
    TwilioSandbox,
)
from tests.sandbox.twilio.receiver import Received, Receiver
from tests.support.asgi_server import free_port

PATIENT = "+31612345678"
validator = RequestValidator(DEMO_AUTH_TOKEN)


def assert_signed(hook: Received) -> None:
    assert hook.signature, "no X-Twilio-Signature header"
    assert validator.validate(hook.url, hook.params, hook.signature)


def statuses(hooks: list[Received]) -> list[str]:
    return [h.params["MessageStatus"] for h in hooks]


def test_callbacks_arrive_in_order_signed(
    client: Client, receiver: Receiver, twilio_sandbox: TwilioSandbox
) -> None:
    url = receiver.url("/twilio/status?tenant=fysio&x=%C3%A9")
    message = client.messages.create(to=PATIENT, from_=DEMO_NUMBER, body="Hoi", status_callback=url)
    hooks = receiver.wait_for(2)
    assert statuses(hooks) == ["sent", "delivered"]  # no callback for the initial "queued"
    for hook in hooks:
        assert_signed(hook)
        assert hook.url == url
        assert hook.headers["user-agent"].startswith("TwilioProxy/")
        assert hook.headers["content-type"].startswith("application/x-www-form-urlencoded")
        assert hook.headers["i-twilio-idempotency-token"]
    assert hooks[0].params == {
        "ApiVersion": "2010-04-01",
        "AccountSid": DEMO_ACCOUNT_SID,
        "MessageSid": message.sid,
        "SmsSid": message.sid,
        "MessageStatus": "sent",
        "SmsStatus": "sent",
        "From": DEMO_NUMBER,
        "To": PATIENT,
    }
    assert hooks[1].params["SmsStatus"] == "delivered" and "RawDlrDoneDate" in hooks[1].params
    assert "ErrorCode" not in hooks[1].params
    assert twilio_sandbox.wait_idle()
    assert client.messages(message.sid).fetch().status == "delivered"
    assert [c["status"] for c in twilio_sandbox.callbacks()] == [200, 200]


def test_a_wrong_token_does_not_validate(client: Client, receiver: Receiver) -> None:
    client.messages.create(
        to=PATIENT, from_=DEMO_NUMBER, body="x", status_callback=receiver.url("/s")
    )
    hook = receiver.wait_for(1)[0]
    assert not RequestValidator("0" * 32).validate(hook.url, hook.params, hook.signature)
    tampered = {**hook.params, "MessageStatus": "delivered"}
    assert not validator.validate(hook.url, tampered, hook.signature)


@pytest.mark.parametrize(
    ("to", "expected", "code"),
    [
        ("+31612330003", ["sent", "undelivered"], "30003"),
        ("+31612330005", ["sent", "undelivered"], "30005"),
        ("+31612330006", ["sent", "undelivered"], "30006"),
        ("+31612330001", ["failed"], "30001"),
    ],
)
def test_failure_rules(
    client: Client, receiver: Receiver, to: str, expected: list[str], code: str
) -> None:
    message = client.messages.create(
        to=to, from_=DEMO_NUMBER, body="x", status_callback=receiver.url("/s")
    )
    assert message.status == "queued"  # accepted at creation; it fails later
    hooks = receiver.wait_for(len(expected))
    assert statuses(hooks) == expected
    assert hooks[-1].params["ErrorCode"] == code
    final = client.messages(message.sid).fetch()
    assert (final.status, final.error_code) == (expected[-1], int(code))
    assert final.error_message


def test_messaging_service_callbacks(client: Client, receiver: Receiver) -> None:
    client.messages.create(
        to=PATIENT,
        messaging_service_sid=DEMO_MESSAGING_SERVICE_SID,
        body="x",
        status_callback=receiver.url("/s"),
    )
    hooks = receiver.wait_for(3)
    assert statuses(hooks) == ["queued", "sent", "delivered"]
    assert {h.params["MessagingServiceSid"] for h in hooks} == {DEMO_MESSAGING_SERVICE_SID}
    assert {h.params["From"] for h in hooks} == {DEMO_NUMBER}


def test_failure_rules_can_be_configured(
    client: Client, http: httpx.Client, receiver: Receiver
) -> None:
    rules = {"delivery_failures": {"12345678": 30007}}
    assert http.put("/_sandbox/twilio/config", json=rules).json()["delivery_failures"] == {
        "12345678": 30007
    }
    client.messages.create(
        to=PATIENT, from_=DEMO_NUMBER, body="x", status_callback=receiver.url("/s")
    )
    assert receiver.wait_for(2)[-1].params["ErrorCode"] == "30007"
    client.messages.create(
        to="+31612330003", from_=DEMO_NUMBER, body="x", status_callback=receiver.url("/s")
    )
    assert statuses(receiver.wait_for(4)[2:]) == ["sent", "delivered"]  # defaults replaced


def test_http_errors_are_not_retried_by_default(
    client: Client, receiver: Receiver, twilio_sandbox: TwilioSandbox
) -> None:
    receiver.answer_next(500)
    client.messages.create(
        to=PATIENT, from_=DEMO_NUMBER, body="x", status_callback=receiver.url("/s")
    )
    assert statuses(receiver.wait_for(2)) == ["sent", "delivered"]  # "sent" was dropped
    assert twilio_sandbox.wait_idle()
    log = twilio_sandbox.callbacks()
    assert [(c["status"], c["attempts"]) for c in log] == [(500, 1), (200, 1)]


def test_retry_policy_from_the_url_fragment(
    client: Client, receiver: Receiver, twilio_sandbox: TwilioSandbox
) -> None:
    receiver.answer_next(503)
    receiver.answer_next(500)
    url = receiver.url("/s?a=1#rc=3&rp=5xx")
    client.messages.create(to=PATIENT, from_=DEMO_NUMBER, body="x", status_callback=url)
    hooks = receiver.wait_for(4)
    assert statuses(hooks) == ["sent", "sent", "sent", "delivered"]
    for hook in hooks:
        assert hook.url == receiver.url("/s?a=1")  # the fragment is neither sent nor signed
        assert_signed(hook)
    assert len({h.headers["i-twilio-idempotency-token"] for h in hooks[:3]}) == 1
    assert twilio_sandbox.wait_idle()
    assert [c["attempts"] for c in twilio_sandbox.callbacks()] == [3, 1]


def test_connection_failures_are_retried_once_then_dropped(
    client: Client, twilio_sandbox: TwilioSandbox
) -> None:
    dead = f"http://127.0.0.1:{free_port()}/status"
    message = client.messages.create(to=PATIENT, from_=DEMO_NUMBER, body="x", status_callback=dead)
    assert twilio_sandbox.wait_idle()
    log = twilio_sandbox.callbacks()
    assert [(c["message_status"], c["attempts"], c["status"]) for c in log] == [
        ("sent", 2, None),
        ("delivered", 2, None),
    ]
    assert log[0]["failures"] == ["ct", "ct"] and "ConnectError" in log[0]["error"]
    assert client.messages(message.sid).fetch().status == "delivered"
