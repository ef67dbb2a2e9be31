"""DELETE of a Message resource, as Twilio answers it: 204 and gone from fetch and
listing; 20009 while the message is not in a final state; 404 for an unknown one."""

from __future__ import annotations

import httpx
import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from sandbox.server import SandboxServer
from sandbox.twilio import DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, DEMO_NUMBER, TwilioSandbox

PATIENT = "+31612345678"


def test_a_delivered_message_is_deleted_and_no_longer_listed(
    client: Client, twilio_sandbox: TwilioSandbox
) -> None:
    kept = client.messages.create(to="+31612345679", from_=DEMO_NUMBER, body="Blijft")
    gone = client.messages.create(to=PATIENT, from_=DEMO_NUMBER, body="Weg")
    assert twilio_sandbox.wait_idle()
    assert client.messages(gone.sid).delete() is True
    assert [m.sid for m in client.messages.list()] == [kept.sid]
    assert [m.sid for m in client.messages.list(to=PATIENT)] == []
    with pytest.raises(TwilioRestException) as fetched:
        client.messages(gone.sid).fetch()
    assert (fetched.value.status, fetched.value.code) == (404, 20404)


def test_an_inbound_message_is_deleted(client: Client, twilio_sandbox: TwilioSandbox) -> None:
    inbound = twilio_sandbox.receive(PATIENT, "Ja")
    assert client.messages(inbound["sid"]).delete() is True
    assert client.messages.list(from_=PATIENT) == []


def test_a_message_not_yet_final_cannot_be_deleted(
    client: Client, twilio_sandbox: TwilioSandbox
) -> None:
    twilio_sandbox.settings.step_delay = 60.0  # it stays queued
    message = client.messages.create(to=PATIENT, from_=DEMO_NUMBER, body="Nog onderweg")
    with pytest.raises(TwilioRestException) as refused:
        client.messages(message.sid).delete()
    assert (refused.value.status, refused.value.code) == (422, 20009)
    assert [m.sid for m in client.messages.list()] == [message.sid]  # still there


def test_over_plain_http_204_without_body_and_404_after(
    server: SandboxServer, twilio_sandbox: TwilioSandbox
) -> None:
    sid = twilio_sandbox.receive(PATIENT, "Nee")["sid"]
    url = f"{server.base_url}/2010-04-01/Accounts/{DEMO_ACCOUNT_SID}/Messages/{sid}.json"
    auth = (DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN)
    first = httpx.delete(url, auth=auth)
    assert (first.status_code, first.content) == (204, b"")
    again = httpx.delete(url, auth=auth)
    assert again.status_code == 404 and again.json()["code"] == 20404
    assert httpx.delete(url, auth=(DEMO_ACCOUNT_SID, "wrong")).status_code == 401
