"""Words about the number rather than an appointment (STOP, START, HELP), and what the
bridge holds about a number: Twilio answers those words itself, the bridge records them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bridge.booking import Label
from bridge.cli.main import main
from bridge.domain.messages import MessageKind
from sandbox.twilio import DEMO_NUMBER
from tests.flow.conftest import Flow
from tests.flow.test_replies import MakeFlow, answers, prompted, reply, started
from workers import replies


def test_stop_then_no_reminder_then_start(flow: Flow) -> None:
    started(flow)
    appointment = prompted(flow, "06-21000008")
    reply(flow, "+31621000008", "STOP")
    assert flow.rt.optouts.is_opted_out("+31621000008")
    assert answers(flow, "+31621000008") == []  # Twilio itself answers STOP
    reminder = next(m for m in flow.planned_for(appointment) if m.kind is MessageKind.REMINDER)
    flow.clock.set(reminder.send_at + timedelta(seconds=1))
    flow.ticker.tick()
    flow.run_jobs()
    reminders = [r for r in flow.rt.messages.recent(200)
                 if r.appointment_id == appointment and r.kind == "reminder"]
    assert [r.channel for r in reminders if r.provider_id] == ["email"]  # not by SMS
    assert "+31621000008" not in [m["to"] for m in flow.twilio.messages()
                                  if "Herinnering" in str(m["body"])]
    reply(flow, "+31621000008", "START")
    assert not flow.rt.optouts.is_opted_out("+31621000008")


def test_a_stop_handled_after_the_start_sent_later_leaves_the_number_opted_in(
        flow: Flow) -> None:
    # Found by the full soak: the STOP's job was rescued from a killed worker and ran
    # after the START; the customer's next "Yes" then opted in instead of confirming.
    started(flow)
    appointment = prompted(flow, "06-21000018")
    now = flow.clock.now()
    flow.rt.inbound.record("SMstop", "+31621000018", DEMO_NUMBER, "UNSUBSCRIBE", now)
    flow.rt.inbound.record("SMstart", "+31621000018", DEMO_NUMBER, "START",
                           now + timedelta(seconds=4))
    replies.handle_reply("SMstart")
    replies.handle_reply("SMstop")
    assert not flow.rt.optouts.is_opted_out("+31621000018")
    flow.clock.advance(timedelta(seconds=20))
    reply(flow, "+31621000018", "Yes")
    assert answers(flow, "+31621000018") == ["reply_need_code"]  # a confirmation, as asked
    assert flow.api.get_appointment(appointment).label is Label.PENDING


def test_cancel_is_an_opt_out_word_not_a_cancellation(flow: Flow) -> None:
    started(flow)
    appointment = prompted(flow, "06-21000009")
    reply(flow, "+31621000009", "CANCEL")
    assert flow.api.get_appointment(appointment).label is Label.PENDING
    assert flow.rt.optouts.is_opted_out("+31621000009")


def test_help_is_left_to_twilio_which_answers_it_itself(flow: Flow) -> None:
    started(flow)
    prompted(flow, "06-21000013")
    for word in ("HELP", "info"):
        reply(flow, "+31621000013", word)
    flow.run_jobs()
    assert flow.twilio.wait_idle(10)
    assert answers(flow, "+31621000013") == []  # the bridge sent nothing
    twilios = [m for m in flow.twilio.messages() if m.get("sandbox_auto_reply") == "HELP"]
    assert [m["to"] for m in twilios] == ["+31621000013"] * 2


def test_after_start_sms_flows_again(make_flow: MakeFlow) -> None:
    flow = started(make_flow(OABRIDGE_CHANNELS="reminder:sms"))
    appointment = prompted(flow, "06-21000014")
    reply(flow, "+31621000014", "STOP")
    reply(flow, "+31621000014", "START")
    reminder = next(m for m in flow.planned_for(appointment) if m.kind is MessageKind.REMINDER)
    flow.clock.set(reminder.send_at + timedelta(seconds=1))
    flow.ticker.tick()
    flow.run_jobs()
    assert any("Herinnering" in str(m["body"]) for m in flow.twilio.messages()
               if m["to"] == "+31621000014")


def test_an_alphanumeric_sender_invites_no_reply(make_flow: MakeFlow) -> None:
    flow = started(make_flow(OABRIDGE_TWILIO_FROM="DeLinde"))
    assert not flow.settings.sender_takes_replies
    prompted(flow, "06-21000015")
    prompt = next(m for m in flow.twilio.messages() if m["to"] == "+31621000015")
    assert prompt["from"] == "DeLinde"
    assert "JA" not in str(prompt["body"]) and "NEE" not in str(prompt["body"])


def test_erase_removes_what_is_held_about_a_number(
    flow: Flow, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    started(flow)
    prompted(flow, "06-21000016")
    reply(flow, "+31621000016", "STOP")
    assert flow.rt.optouts.is_opted_out("+31621000016")
    for name, value in flow.settings.model_dump().items():
        monkeypatch.setenv(f"OABRIDGE_{name.upper()}", str(getattr(value, "get_secret_value",
                                                                     lambda v=value: v)()))
    assert main(["erase", "--phone", "06 21 00 00 16"]) == 0
    out = capsys.readouterr().out
    assert "+31*******16" in out and "logged message" in out and "opt-out record" in out
    assert not flow.rt.optouts.is_opted_out("+31621000016")
    assert [r for r in flow.rt.messages.recent(500) if r.recipient == "+31621000016"] == []
    assert flow.rt.conversations.asked_about("+31621000016") == []
    assert main(["erase", "--phone", "06 21 00 00 16"]) == 0
    assert "nothing was held" in capsys.readouterr().out
