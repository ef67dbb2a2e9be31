"""Twilio's STOP filtering: keywords change the opt-out list, Twilio answers them itself,
messages to an opted-out number are refused with 21610, the webhook still hears of them."""

from __future__ import annotations

import httpx
import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from sandbox.twilio import (
    DEMO_ACCOUNT_SID,
    DEMO_AUTH_TOKEN,
    DEMO_MESSAGING_SERVICE_SID,
    DEMO_NUMBER,
    TwilioApiError,
    TwilioSandbox,
)
from sandbox.twilio.optouts import DEFAULT_REPLIES
from tests.sandbox.twilio.conftest import FAST_STEPS
from tests.sandbox.twilio.receiver import Receiver

PATIENT = "+31612345678"
OTHER = "+31687654321"
SECOND_NUMBER = "+3197010000001"
INBOUND = "/_sandbox/twilio/inbound"
UNSUBSCRIBED = (
    "You have successfully been unsubscribed. You will not receive any more messages from "
    "this number. Reply START to resubscribe."
)


def refused(client: Client, to: str = PATIENT, **sender: str) -> int | None:
    """The error code of a create call, None if it was accepted."""
    try:
        client.messages.create(to=to, body="Herinnering", **(sender or {"from_": DEMO_NUMBER}))
    except TwilioRestException as exc:
        assert exc.status == 400
        return int(exc.code)
    return None


def auto_replies(sandbox: TwilioSandbox) -> list[dict[str, object]]:
    return [m for m in sandbox.messages() if m["sandbox_auto_reply"]]


@pytest.mark.parametrize(
    "word", ["STOP", "stop", " Stop ", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT",
             "REVOKE", "OPTOUT", "sToP"],
)
def test_an_opt_out_word_blocks_messages_with_21610(
    client: Client, twilio_sandbox: TwilioSandbox, word: str
) -> None:
    assert refused(client) is None
    twilio_sandbox.receive(PATIENT, word)
    with pytest.raises(TwilioRestException) as excinfo:
        client.messages.create(to=PATIENT, from_=DEMO_NUMBER, body="Herinnering")
    assert (excinfo.value.code, excinfo.value.status) == (21610, 400)
    # Twilio's message; the `twilio` package puts "Unable to create record: " before it.
    assert excinfo.value.msg.endswith(f": Attempt to send to unsubscribed recipient {PATIENT}.")
    assert refused(client, messaging_service_sid=DEMO_MESSAGING_SERVICE_SID) == 21610
    assert refused(client, to=OTHER) is None  # only the number that opted out
    bodies = [m["body"] for m in twilio_sandbox.messages() if m["to"] == PATIENT]
    assert bodies == [UNSUBSCRIBED, "Herinnering"]  # the refused ones do not exist


@pytest.mark.parametrize("word", ["Stop please", "STOP STOP", "stop.", "AFMELDEN", "Nee"])
def test_other_messages_change_nothing(
    client: Client, twilio_sandbox: TwilioSandbox, word: str
) -> None:
    twilio_sandbox.receive(PATIENT, word)
    assert refused(client) is None
    assert auto_replies(twilio_sandbox) == [] and twilio_sandbox.opted_out() == []


def test_twilio_answers_stop_itself_and_marks_it_only_in_the_sandbox_view(
    client: Client, twilio_sandbox: TwilioSandbox, http: httpx.Client
) -> None:
    inbound = twilio_sandbox.receive(PATIENT, "STOP")
    assert twilio_sandbox.wait_idle()
    [answer] = auto_replies(twilio_sandbox)
    assert (answer["from"], answer["to"], answer["body"]) == (DEMO_NUMBER, PATIENT, UNSUBSCRIBED)
    assert (answer["direction"], answer["status"]) == ("outbound-reply", "delivered")
    assert answer["sandbox_auto_reply"] == "STOP"
    assert answer["messaging_service_sid"] == DEMO_MESSAGING_SERVICE_SID
    view = http.get("/_sandbox/twilio/messages").json()
    assert [m["sandbox_auto_reply"] for m in view] == ["STOP", None]  # newest first
    assert view[1]["sid"] == inbound["sid"]
    # The REST API is Twilio's: the same keys for Twilio's answer as for any message.
    path = f"/2010-04-01/Accounts/{DEMO_ACCOUNT_SID}/Messages"
    listed = http.get(f"{path}.json").json()["messages"]
    fetched = http.get(f"{path}/{answer['sid']}.json").json()
    assert set(fetched) == set(listed[1]) and "sandbox_auto_reply" not in fetched
    assert [m.body for m in client.messages.list(to=PATIENT)] == [UNSUBSCRIBED]


@pytest.mark.parametrize("word", ["START", "unstop", "Yes"])
def test_an_opt_in_word_lifts_the_block(
    client: Client, twilio_sandbox: TwilioSandbox, word: str
) -> None:
    twilio_sandbox.receive(PATIENT, "QUIT")
    assert refused(client) == 21610
    twilio_sandbox.receive(PATIENT, word)
    assert refused(client) is None
    assert [m["body"] for m in auto_replies(twilio_sandbox)] == [
        DEFAULT_REPLIES["START"], UNSUBSCRIBED]
    assert DEFAULT_REPLIES["START"] == (
        "You have successfully been re-subscribed to messages from this number. Reply HELP "
        "for help. Reply STOP to unsubscribe. Msg&Data Rates May Apply.")
    assert twilio_sandbox.opted_out() == []


def test_help_is_answered_unless_the_number_opted_out(
    client: Client, twilio_sandbox: TwilioSandbox
) -> None:
    twilio_sandbox.receive(PATIENT, "HELP")
    twilio_sandbox.receive(PATIENT, "info")
    help_text = "Reply STOP to unsubscribe. Msg&Data Rates May Apply."
    assert [m["body"] for m in auto_replies(twilio_sandbox)] == [help_text] * 2
    assert refused(client) is None  # help changes nothing
    twilio_sandbox.receive(PATIENT, "STOP")
    twilio_sandbox.receive(PATIENT, "HELP")
    assert [m["sandbox_auto_reply"] for m in auto_replies(twilio_sandbox)] == [
        "STOP", "HELP", "HELP"]


def test_the_opt_out_list_is_inspectable(
    twilio_sandbox: TwilioSandbox, http: httpx.Client
) -> None:
    twilio_sandbox.receive(PATIENT, "Revoke")
    [entry] = http.get("/_sandbox/twilio/opt-outs").json()
    assert (entry["phone"], entry["sender"], entry["word"]) == (
        PATIENT, DEMO_MESSAGING_SERVICE_SID, "REVOKE")
    assert entry["since"] == twilio_sandbox.messages("inbound")[0]["sandbox_created_at"]


def test_a_service_shares_one_list_and_a_number_without_one_has_its_own() -> None:
    numbers = (DEMO_NUMBER, SECOND_NUMBER)
    with (
        TwilioSandbox(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, numbers=numbers,
                      step_delay=FAST_STEPS) as pooled,
        TwilioSandbox(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, numbers=numbers, messaging_services=(),
                      step_delay=FAST_STEPS) as plain,
    ):
        for sandbox in (pooled, plain):
            sandbox.receive(PATIENT, "STOP", to=SECOND_NUMBER)
            [answer] = auto_replies(sandbox)
            assert answer["from"] == SECOND_NUMBER  # from the number that was texted

        def code(sandbox: TwilioSandbox, **params: str) -> int | None:
            try:
                sandbox.create_message({"To": PATIENT, "Body": "x", **params})
            except TwilioApiError as exc:
                return exc.code
            return None

        assert code(pooled, From=SECOND_NUMBER) == 21610
        assert code(pooled, From=DEMO_NUMBER) == 21610  # the service's other number
        assert code(pooled, MessagingServiceSid=DEMO_MESSAGING_SERVICE_SID) == 21610
        assert code(pooled, From="DeLinde") is None  # an alphanumeric ID is nobody's number
        assert code(plain, From=SECOND_NUMBER) == 21610
        assert code(plain, From=DEMO_NUMBER) is None  # a number of its own, another list
        assert plain.opted_out()[0]["sender"] == SECOND_NUMBER


def test_each_account_has_its_own_list_and_reset_empties_it(
    client: Client, twilio_sandbox: TwilioSandbox
) -> None:
    with TwilioSandbox("AC" + "e" * 32, "other-token", step_delay=FAST_STEPS) as other:
        other.receive(PATIENT, "STOP")
        assert refused(client) is None
    twilio_sandbox.receive(PATIENT, "STOP")
    assert refused(client) == 21610
    twilio_sandbox.reset()
    assert twilio_sandbox.opted_out() == [] and refused(client) is None


def test_the_block_holds_under_injected_faults(
    client: Client, twilio_sandbox: TwilioSandbox
) -> None:
    twilio_sandbox.receive(PATIENT, "STOP")
    twilio_sandbox.faults.push(503)
    twilio_sandbox.fault_rates.update_from_json(
        {"rate_limit_rate": 0.3, "error_rate": 0.3, "latency_ms": 1, "seed": 5})
    codes = set()
    for _ in range(30):
        try:
            client.messages.create(to=PATIENT, from_=DEMO_NUMBER, body="Herinnering")
        except TwilioRestException as exc:
            codes.add(int(exc.code))
    assert codes == {20429, 20500, 20503, 21610}  # a fault, or refused; never accepted
    assert [m["body"] for m in twilio_sandbox.messages()] == [UNSUBSCRIBED, "STOP"]


@pytest.fixture
def webhook(http: httpx.Client, receiver: Receiver) -> str:
    url = receiver.url("/twilio/inbound")
    http.put("/_sandbox/twilio/config", json={"inbound_url": url})
    return url


@pytest.mark.parametrize(
    ("body", "kind"), [("STOP", "STOP"), ("optout", "STOP"), ("Start", "START"),
                       ("YES", "START"), ("help", "HELP"), ("JA", None)],
)
def test_the_webhook_still_hears_of_keywords_with_opt_out_type(
    http: httpx.Client, receiver: Receiver, webhook: str, body: str, kind: str | None
) -> None:
    answer = http.post(INBOUND, json={"from": PATIENT, "body": body}).json()
    assert answer["webhook"]["status"] == 200
    hook = receiver.wait_for(1)[0]
    assert RequestValidator(DEMO_AUTH_TOKEN).validate(hook.url, hook.params, hook.signature)
    assert hook.params["Body"] == body and hook.params.get("OptOutType") == kind
    assert (answer["auto_reply"] or {}).get("body") == (DEFAULT_REPLIES[kind] if kind else None)


def test_without_a_messaging_service_the_webhook_has_no_opt_out_type(
    receiver: Receiver,
) -> None:
    with TwilioSandbox(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, messaging_services=(),
                       inbound_url=receiver.url("/in"), step_delay=FAST_STEPS) as plain:
        answer = plain.inbound(PATIENT, "STOP")
    params = receiver.wait_for(1)[0].params
    assert "OptOutType" not in params and "MessagingServiceSid" not in params
    assert answer["auto_reply"]["body"] == UNSUBSCRIBED


def test_a_stop_counts_without_a_webhook_and_a_twiml_answer_to_it_is_refused(
    http: httpx.Client, receiver: Receiver, webhook: str
) -> None:
    answer = http.post(INBOUND, json={"from": PATIENT, "body": "END", "deliver": False}).json()
    assert answer["webhook"] is None and answer["auto_reply"]["body"] == UNSUBSCRIBED
    assert receiver.requests == []
    receiver.answer_next(200, "<Response><Message>Jammer!</Message></Response>", "text/xml")
    answer = http.post(INBOUND, json={"from": PATIENT, "body": "STOP"}).json()
    [reply] = answer["replies"]
    assert reply["error"]["code"] == 21610
