"""Each customer is told what they can do: an e-mail asks for an SMS reply only when
the same message also reached them by SMS (issue #13)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from bridge.domain.messages import MessageKind
from tests.flow.conftest import Flow
from tests.flow.test_sending import booked, settle

MakeFlow = Callable[..., Flow]
#: An e-mail that invites an SMS reply says JA, or names our text message.
ASKS_FOR_AN_SMS = re.compile(r"\bJA\b|\bNEE\b|\bsms\b|text message", re.IGNORECASE)


def started(flow: Flow) -> Flow:
    flow.ticker.tick()
    flow.run_jobs()
    return flow


def opt_out(flow: Flow, e164: str) -> None:
    """The customer texts STOP; the bridge hears of it as of any reply."""
    result = flow.twilio.inbound(e164, "STOP")
    assert result["webhook"] and result["webhook"]["status"] == 200, result
    flow.run_jobs()
    assert flow.rt.optouts.is_opted_out(e164)


def send_reminders(flow: Flow, *appointments: int) -> None:
    due = max(m.send_at for a in appointments for m in flow.planned_for(a)
              if m.kind is MessageKind.REMINDER)
    flow.clock.set(due + timedelta(seconds=1))
    flow.ticker.tick()
    flow.run_jobs()
    assert flow.twilio.wait_idle(10)


def mails_to(flow: Flow, address: str) -> list[dict[str, Any]]:
    return [m for m in flow.mail.messages() if address in str(m["to"])]


def parts(mail: dict[str, Any]) -> list[str]:
    return [str(mail["subject"]), str(mail["text"]), str(mail["html"] or "")]


def test_an_email_alone_never_asks_for_an_sms_reply(flow: Flow) -> None:
    started(flow)
    opt_out(flow, "+31622223333")
    no_mobile = booked(flow, index=0, mobile_phone="", email="geen.mobiel@example.nl")
    stopped = booked(flow, index=1, mobile_phone="06-22223333", email="gestopt@example.nl")
    settle(flow)  # the prompts
    send_reminders(flow, no_mobile, stopped)
    for address in ("geen.mobiel@example.nl", "gestopt@example.nl"):
        mails = mails_to(flow, address)
        assert len(mails) == 2  # the prompt and the reminder, by e-mail alone
        for mail in mails:
            for part in parts(mail):
                assert not ASKS_FOR_AN_SMS.search(part), (address, part)
        prompt = next(m for m in mails if "bevestigen?" in str(m["subject"]))
        assert "contact met ons opnemen om te bevestigen" in str(prompt["text"])  # instead
    assert [m for m in flow.twilio.messages() if m["to"] == "+31622223333"
            and m["direction"] != "inbound" and "Fysio" in str(m["body"])] == []


def test_an_email_beside_an_sms_says_the_sms_can_be_answered(make_flow: MakeFlow) -> None:
    flow = started(make_flow(OABRIDGE_CHANNELS="confirm_request:both"))
    opt_out(flow, "+31644445555")
    both = booked(flow, index=0, mobile_phone="06-33334444", email="beide@example.nl")
    stopped = booked(flow, index=1, mobile_phone="06-44445555", email="beide.gestopt@example.nl")
    settle(flow)
    (mail,) = mails_to(flow, "beide@example.nl")
    assert "U krijgt dit bericht ook per sms: antwoord daarop met JA" in str(mail["text"])
    assert [m for m in flow.twilio.messages() if m["to"] == "+31633334444"]  # that SMS
    (alone,) = mails_to(flow, "beide.gestopt@example.nl")  # its SMS was refused: STOP
    for part in parts(alone):
        assert not ASKS_FOR_AN_SMS.search(part), part
    sent = {(r.appointment_id, r.channel) for r in flow.sent("sms") + flow.sent("email")}
    assert {(both, "sms"), (both, "email"), (stopped, "email")} <= sent
    assert (stopped, "sms") not in sent
