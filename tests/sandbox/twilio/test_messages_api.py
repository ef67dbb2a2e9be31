"""The Messages resource through the official `twilio` package and over plain HTTP."""

from __future__ import annotations

import re
from datetime import datetime

import httpx
import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from sandbox.server import SandboxServer
from sandbox.twilio import (
    DEMO_ACCOUNT_SID,
    DEMO_MESSAGING_SERVICE_SID,
    DEMO_NUMBER,
    MAGIC_VALID_SENDER,
    TwilioSandbox,
)
from tests.sandbox.twilio.conftest import twilio_client

PATIENT = "+31612345678"
MESSAGES = f"/2010-04-01/Accounts/{DEMO_ACCOUNT_SID}/Messages.json"
RFC2822 = re.compile(r"[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000")


def rest_error(excinfo: pytest.ExceptionInfo[TwilioRestException]) -> tuple[int, int]:
    return excinfo.value.code, excinfo.value.status


def test_create_fetch_and_list(client: Client, twilio_sandbox: TwilioSandbox) -> None:
    message = client.messages.create(to=PATIENT, from_=DEMO_NUMBER, body="Tot morgen om 10:00")
    assert re.fullmatch(r"SM[0-9a-f]{32}", message.sid)
    assert (message.account_sid, message.to, message.from_) == (
        DEMO_ACCOUNT_SID,
        PATIENT,
        DEMO_NUMBER,
    )
    assert (message.status, message.direction, message.api_version) == (
        "queued",
        "outbound-api",
        "2010-04-01",
    )
    assert (message.num_segments, message.num_media, message.price) == ("1", "0", None)
    assert message.error_code is None and message.date_sent is None
    assert isinstance(message.date_created, datetime) and message.date_created.tzinfo is not None
    assert message.uri == f"/2010-04-01/Accounts/{DEMO_ACCOUNT_SID}/Messages/{message.sid}.json"
    assert message.subresource_uris == {"media": message.uri[:-5] + "/Media.json"}

    fetched = client.messages(message.sid).fetch()
    assert (fetched.sid, fetched.body) == (message.sid, "Tot morgen om 10:00")
    assert [m.sid for m in client.messages.list()] == [message.sid]
    assert twilio_sandbox.messages()[0]["sid"] == message.sid


def test_delivery_completes_without_callback(client: Client, twilio_sandbox: TwilioSandbox) -> None:
    message = client.messages.create(to=PATIENT, from_=DEMO_NUMBER, body="Hallo")
    assert twilio_sandbox.wait_idle()
    done = client.messages(message.sid).fetch()
    assert done.status == "delivered"
    assert done.date_sent is not None and done.price == "-0.07600"
    assert done.price_unit == "USD"


def test_raw_json_is_twilio_shaped(http: httpx.Client) -> None:
    response = http.post(MESSAGES, data={"To": PATIENT, "From": DEMO_NUMBER, "Body": "Hoi"})
    assert response.status_code == 201
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {
        "account_sid", "api_version", "body", "date_created", "date_sent", "date_updated",
        "direction", "error_code", "error_message", "from", "messaging_service_sid",
        "num_media", "num_segments", "price", "price_unit", "sid", "status",
        "subresource_uris", "to", "uri",
    }  # fmt: skip
    assert RFC2822.fullmatch(body["date_created"]) and body["date_sent"] is None
    assert body["messaging_service_sid"] is None


def test_messaging_service_instead_of_from(client: Client, twilio_sandbox: TwilioSandbox) -> None:
    message = client.messages.create(
        to=PATIENT, messaging_service_sid=DEMO_MESSAGING_SERVICE_SID, body="Via de dienst"
    )
    # Twilio: "accepted", no sender yet, num_segments 0 until a sender is assigned.
    assert (message.status, message.from_, message.num_segments) == ("accepted", None, "0")
    assert message.messaging_service_sid == DEMO_MESSAGING_SERVICE_SID
    assert twilio_sandbox.wait_idle()
    done = client.messages(message.sid).fetch()
    assert (done.status, done.from_, done.num_segments) == ("delivered", DEMO_NUMBER, "1")


def test_service_sid_in_from_is_accepted(client: Client) -> None:
    message = client.messages.create(to=PATIENT, from_=DEMO_MESSAGING_SERVICE_SID, body="x")
    assert message.messaging_service_sid == DEMO_MESSAGING_SERVICE_SID


@pytest.mark.parametrize(
    ("to", "code"),
    [
        ("+15005550001", 21211),
        ("+15005550002", 21612),
        ("+15005550003", 21408),
        ("+15005550004", 21610),
        ("+15005550009", 21614),
        ("+3161234", 21211),
        ("0612345678", 21211),
        ("+31 6 12345678", 21211),
        ("not a number", 21211),
    ],
)
def test_refused_recipients(
    client: Client, twilio_sandbox: TwilioSandbox, to: str, code: int
) -> None:
    with pytest.raises(TwilioRestException) as excinfo:
        client.messages.create(to=to, from_=DEMO_NUMBER, body="Hallo")
    assert rest_error(excinfo) == (code, 400)
    assert twilio_sandbox.messages() == []


@pytest.mark.parametrize("to", ["+15005550006", "+447911123456", "+32470123456", "+31201234567"])
def test_other_valid_numbers_are_accepted(client: Client, to: str) -> None:
    assert client.messages.create(to=to, from_=DEMO_NUMBER, body="x").status == "queued"


@pytest.mark.parametrize(
    ("sender", "code"),
    [
        ("+15005550001", 21212),
        ("+15005550007", 21606),
        ("+15005550008", 21611),
        ("+31612345679", 21606),
        ("!!", 21212),
    ],
)
def test_refused_senders(client: Client, sender: str, code: int) -> None:
    with pytest.raises(TwilioRestException) as excinfo:
        client.messages.create(to=PATIENT, from_=sender, body="Hallo")
    assert rest_error(excinfo) == (code, 400)


@pytest.mark.parametrize("sender", [MAGIC_VALID_SENDER, "Praktijk", "DeLinde 24"])
def test_accepted_senders(client: Client, sender: str) -> None:
    assert client.messages.create(to=PATIENT, from_=sender, body="x").from_ == sender


@pytest.mark.parametrize(("service", "code"), [("MG123", 21705), ("MG" + "0" * 32, 21701)])
def test_refused_messaging_services(client: Client, service: str, code: int) -> None:
    with pytest.raises(TwilioRestException) as excinfo:
        client.messages.create(to=PATIENT, messaging_service_sid=service, body="x")
    assert rest_error(excinfo) == (code, 400)


@pytest.mark.parametrize(
    ("form", "code"),
    [
        ({"From": DEMO_NUMBER, "Body": "x"}, 21604),
        ({"To": PATIENT, "Body": "x"}, 21603),
        ({"To": PATIENT, "From": DEMO_NUMBER}, 21602),
        ({"To": PATIENT, "From": DEMO_NUMBER, "Body": "x" * 1601}, 21617),
        ({"To": PATIENT, "From": DEMO_NUMBER, "Body": "x", "StatusCallback": "nope"}, 21609),
    ],
)
def test_missing_and_bad_parameters(http: httpx.Client, form: dict[str, str], code: int) -> None:
    response = http.post(MESSAGES, data=form)
    assert response.status_code == 400
    assert response.json() == {
        "code": code,
        "message": response.json()["message"],
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": 400,
    }


def test_json_body_is_not_read(http: httpx.Client) -> None:
    response = http.post(MESSAGES, json={"To": PATIENT, "From": DEMO_NUMBER, "Body": "x"})
    assert response.json()["code"] == 21604  # as at Twilio: the API only reads form bodies


def test_media_without_body_is_accepted(http: httpx.Client) -> None:
    media = ["https://example.nl/a.png", "https://example.nl/b.png"]
    form = {"To": PATIENT, "From": DEMO_NUMBER, "MediaUrl": media}
    body = http.post(MESSAGES, data=form).json()
    assert body["num_media"] == "2" and body["sid"].startswith("MM")


def test_wrong_credentials(server: SandboxServer) -> None:
    client = twilio_client(server.base_url, token="0" * 32)
    with pytest.raises(TwilioRestException) as excinfo:
        client.messages.create(to=PATIENT, from_=DEMO_NUMBER, body="x")
    assert rest_error(excinfo) == (20003, 401)
    response = httpx.get(server.base_url + MESSAGES, trust_env=False)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Basic")
    assert response.json() == {
        "code": 20003,
        "message": "Authenticate",
        "more_info": "https://www.twilio.com/docs/errors/20003",
        "status": 401,
    }
    garbage = httpx.get(server.base_url + MESSAGES, headers={"Authorization": "Basic %%%"})
    assert garbage.status_code == 401


def test_another_accounts_path_is_not_found(server: SandboxServer, client: Client) -> None:
    other = twilio_client(server.base_url, account_sid="AC" + "1" * 32)
    with pytest.raises(TwilioRestException) as excinfo:
        other.messages.create(to=PATIENT, from_=DEMO_NUMBER, body="x")
    assert rest_error(excinfo) == (20404, 404)
    with pytest.raises(TwilioRestException) as excinfo:
        client.messages("SM" + "0" * 32).fetch()
    assert rest_error(excinfo) == (20404, 404)


def test_optional_parameters_are_ignored(http: httpx.Client) -> None:
    form = {
        "To": PATIENT,
        "From": DEMO_NUMBER,
        "Body": "x",
        "ValidityPeriod": "600",
        "SmartEncoded": "true",
        "ProvideFeedback": "false",
    }
    assert http.post(MESSAGES, data=form).status_code == 201
