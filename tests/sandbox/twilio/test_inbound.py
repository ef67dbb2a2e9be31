"""Inbound SMS: recorded, listable, delivered as Twilio's signed webhook, TwiML replies."""

from __future__ import annotations

import re

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
from tests.sandbox.twilio.receiver import Receiver

PATIENT = "+31612345678"
INBOUND = "/_sandbox/twilio/inbound"


@pytest.fixture
def webhook_url(http: httpx.Client, receiver: Receiver) -> str:
    url = receiver.url("/twilio/inbound")
    http.put("/_sandbox/twilio/config", json={"inbound_url": url})
    return url


def test_inbound_is_delivered_signed(
    http: httpx.Client, receiver: Receiver, webhook_url: str
) -> None:
    response = http.post(INBOUND, json={"from": PATIENT, "body": "JA"})
    assert response.status_code == 201
    answer = response.json()
    message = answer["message"]
    assert re.fullmatch(r"SM[0-9a-f]{32}", message["sid"])
    assert (message["direction"], message["status"], message["to"]) == (
        "inbound",
        "received",
        DEMO_NUMBER,
    )
    assert answer["webhook"] == {
        "url": webhook_url,
        "status": 200,
        "attempts": 1,
        "error": None,
        "failures": [],
    }
    hook = receiver.wait_for(1)[0]
    assert hook.url == webhook_url
    assert RequestValidator(DEMO_AUTH_TOKEN).validate(hook.url, hook.params, hook.signature)
    params = hook.params
    assert {k: params[k] for k in ("MessageSid", "SmsSid", "SmsMessageSid")} == dict.fromkeys(
        ("MessageSid", "SmsSid", "SmsMessageSid"), message["sid"]
    )
    assert params["AccountSid"] == DEMO_ACCOUNT_SID
    assert params["MessagingServiceSid"] == DEMO_MESSAGING_SERVICE_SID
    assert (params["From"], params["To"], params["Body"]) == (PATIENT, DEMO_NUMBER, "JA")
    assert (params["NumMedia"], params["NumSegments"], params["SmsStatus"]) == (
        "0",
        "1",
        "received",
    )
    assert (params["FromCountry"], params["ToCountry"], params["ApiVersion"]) == (
        "NL",
        "NL",
        "2010-04-01",
    )


def test_not_delivered_but_listable(
    http: httpx.Client, client: Client, receiver: Receiver, webhook_url: str
) -> None:
    answer = http.post(INBOUND, json={"from": PATIENT, "body": "NEE", "deliver": False}).json()
    assert answer["webhook"] is None
    listed = client.messages.list(to=DEMO_NUMBER)
    assert [(m.sid, m.body, m.direction) for m in listed] == [
        (answer["message"]["sid"], "NEE", "inbound")
    ]
    assert receiver.requests == []


def test_a_failing_webhook_is_reported_not_retried(
    http: httpx.Client, client: Client, receiver: Receiver, webhook_url: str
) -> None:
    receiver.answer_next(500)
    answer = http.post(INBOUND, json={"from": PATIENT, "body": "JA"}).json()
    assert (answer["webhook"]["status"], answer["webhook"]["attempts"]) == (500, 1)
    assert len(receiver.requests) == 1
    assert [m.body for m in client.messages.list(to=DEMO_NUMBER)] == ["JA"]


def test_without_an_inbound_url(http: httpx.Client, twilio_sandbox: TwilioSandbox) -> None:
    answer = http.post(INBOUND, json={"from": PATIENT, "body": "JA"}).json()
    assert answer["webhook"] is None and "inbound_url" in answer["note"]
    assert len(twilio_sandbox.messages("inbound")) == 1


def test_twiml_reply_is_sent(
    http: httpx.Client, receiver: Receiver, twilio_sandbox: TwilioSandbox, webhook_url: str
) -> None:
    twiml = '<?xml version="1.0"?><Response><Message>Bedankt, tot dan!</Message></Response>'
    receiver.answer_next(200, twiml, "text/xml")
    answer = http.post(INBOUND, json={"from": PATIENT, "body": "JA"}).json()
    [reply] = answer["replies"]
    assert (reply["direction"], reply["to"], reply["from"], reply["body"]) == (
        "outbound-reply",
        PATIENT,
        DEMO_NUMBER,
        "Bedankt, tot dan!",
    )
    assert twilio_sandbox.wait_idle()
    assert twilio_sandbox.message(reply["sid"])["status"] == "delivered"  # type: ignore[index]


def test_empty_twiml_sends_nothing(
    http: httpx.Client, receiver: Receiver, twilio_sandbox: TwilioSandbox, webhook_url: str
) -> None:
    receiver.answer_next(200, "<Response/>", "application/xml")
    assert http.post(INBOUND, json={"from": PATIENT, "body": "JA"}).json()["replies"] == []
    assert twilio_sandbox.messages("outbound-reply") == []


def test_python_api(twilio_sandbox: TwilioSandbox, receiver: Receiver) -> None:
    twilio_sandbox.settings.inbound_url = receiver.url("/in")
    answer = twilio_sandbox.inbound(PATIENT, "Ik kom niet 😞")
    assert answer["webhook"]["status"] == 200
    assert receiver.wait_for(1)[0].params["Body"] == "Ik kom niet 😞"
    kept = twilio_sandbox.inbound(PATIENT, "x", deliver=False)
    assert kept["webhook"] is None and len(receiver.requests) == 1
    assert [m["body"] for m in twilio_sandbox.messages("inbound")] == ["x", "Ik kom niet 😞"]


@pytest.mark.parametrize(
    "body",
    [
        {"from": "0612345678", "body": "JA"},
        {"from": PATIENT},
        {"from": PATIENT, "body": "JA", "to": "+31687654321"},
        {"from": PATIENT, "body": "JA", "deliver": "yes"},
        {"body": "JA"},
    ],
)
def test_bad_inbound_requests(http: httpx.Client, body: dict[str, object]) -> None:
    response = http.post(INBOUND, json=body)
    assert response.status_code == 400 and "error" in response.json()
