"""A STOP the bridge missed: Twilio refuses the next SMS with 21610, and the bridge takes
that as the opt-out it is (recorded, the message skipped and not retried, e-mail instead
where the channel rules allow), until the customer sends START."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from bridge.domain.messages import MessageKind
from bridge.store.message_log import MessageRecord
from tests.flow.conftest import Flow
from tests.flow.test_replies import prompted, reply, started
from workers import replies

MakeFlow = Callable[..., Flow]
#: The inbound scan, which would find the STOP, is not due again before the reminder.
NO_SCAN_YET = str(30 * 86400)


def missing_the_stop(make_flow: MakeFlow, **settings: str) -> Flow:
    return started(make_flow(OABRIDGE_INBOUND_RECONCILE_INTERVAL=NO_SCAN_YET, **settings))


def stop_while_the_ingress_is_down(flow: Flow, e164: str, word: str = "STOP") -> None:
    """Twilio gets the STOP (and answers it itself); its webhook never reaches the bridge."""
    answer = flow.twilio.inbound(e164, word, deliver=False)
    assert answer["auto_reply"] and answer["auto_reply"]["to"] == e164
    assert not flow.rt.optouts.is_opted_out(e164)


def remind(flow: Flow, appointment: int) -> None:
    """The reminder's time comes; the ticker queues it (and an inbound scan); workers run."""
    reminder = next(m for m in flow.planned_for(appointment) if m.kind is MessageKind.REMINDER)
    flow.clock.set(reminder.send_at + timedelta(seconds=1))
    flow.ticker.tick()
    flow.run_jobs()
    assert flow.twilio.wait_idle(10)


def reminders(flow: Flow, appointment: int) -> dict[str, MessageRecord]:
    return {r.channel: r for r in flow.rt.messages.recent(200)
            if r.appointment_id == appointment and r.kind == "reminder"}


def sms_to(flow: Flow, e164: str) -> list[dict[str, object]]:
    """What the customer's phone got, oldest first, with Twilio's own answers marked."""
    return [m for m in reversed(flow.twilio.messages()) if m["to"] == e164]


def mails_to(flow: Flow, address: str) -> list[dict[str, object]]:
    return [m for m in flow.mail.messages() if address in str(m["to"])]


def test_a_reminder_refused_for_a_missed_stop_is_skipped_and_goes_by_email(
    make_flow: MakeFlow,
) -> None:
    flow = missing_the_stop(make_flow)
    appointment = prompted(flow, "06-21000041")
    stop_while_the_ingress_is_down(flow, "+31621000041")
    remind(flow, appointment)
    assert flow.rt.optouts.is_opted_out("+31621000041")  # learnt from the refusal
    sms = reminders(flow, appointment)["sms"]
    assert sms.status == "skipped" and not sms.provider_id
    assert [(s["status"], s.get("code"), s.get("detail")) for s in sms.timeline] == [
        ("claimed", None, None), ("skipped", 21610, "opted_out")]  # not retried
    skips = [s for s in flow.skipped() if s["appointment"] == str(appointment)]
    assert [(s["kind"], s["channel"], s["reason"]) for s in skips] == [
        ("reminder", "sms", "opted_out")]
    mail = reminders(flow, appointment)["email"]
    assert mail.provider_id and mail.status in {"sent", "delivered"}
    assert len(mails_to(flow, mail.recipient)) == 1
    phone = [(m["body"], m["sandbox_auto_reply"]) for m in sms_to(flow, "+31621000041")]
    assert len(phone) == 2 and phone[1] == (  # the prompt, then Twilio's answer to STOP
        "You have successfully been unsubscribed. You will not receive any more messages "
        "from this number. Reply START to resubscribe.", "STOP")
    assert flow.failed_jobs() == []
    flow.ticker.tick()
    flow.run_jobs()  # nothing left to do: nothing more is sent
    assert len(sms_to(flow, "+31621000041")) == 2 and len(mails_to(flow, mail.recipient)) == 1


def test_under_sms_only_the_refused_message_is_skipped_and_nothing_else_sent(
    make_flow: MakeFlow,
) -> None:
    flow = missing_the_stop(make_flow, OABRIDGE_CHANNELS="reminder:sms")
    appointment = prompted(flow, "06-21000042")
    stop_while_the_ingress_is_down(flow, "+31621000042", "Unsubscribe")
    remind(flow, appointment)
    assert set(reminders(flow, appointment)) == {"sms"}
    assert reminders(flow, appointment)["sms"].status == "skipped"
    assert flow.rt.optouts.is_opted_out("+31621000042") and flow.failed_jobs() == []


def test_the_stop_found_later_then_start_lets_sms_flow_again(make_flow: MakeFlow) -> None:
    flow = started(make_flow(OABRIDGE_CHANNELS="reminder:sms"))
    appointment = prompted(flow, "06-21000043")
    stop_while_the_ingress_is_down(flow, "+31621000043")
    flow.clock.advance(timedelta(seconds=30))
    replies.reconcile_inbound()  # the inbound scan finds the STOP
    flow.run_jobs()
    assert flow.rt.optouts.is_opted_out("+31621000043")
    flow.clock.advance(timedelta(seconds=30))
    reply(flow, "+31621000043", "START")  # Twilio and the bridge both opt in again
    assert not flow.rt.optouts.is_opted_out("+31621000043")
    remind(flow, appointment)
    assert reminders(flow, appointment)["sms"].status in {"sent", "delivered"}
    kinds = [m["sandbox_auto_reply"] for m in sms_to(flow, "+31621000043")]
    assert kinds == [None, "STOP", "START", None]  # prompt, Twilio x 2, reminder


def test_an_answer_refused_for_a_missed_stop_records_the_opt_out(flow: Flow) -> None:
    started(flow)
    prompted(flow, "06-21000044")
    stop_while_the_ingress_is_down(flow, "+31621000044", "QUIT")
    reply(flow, "+31621000044", "Ja")  # the bridge would ask for the code; Twilio refuses
    [answer] = [r for r in flow.rt.messages.recent(200)
                if r.recipient == "+31621000044" and r.kind.startswith("reply_")]
    assert answer.status == "skipped" and answer.timeline[-1].get("code") == 21610
    assert flow.rt.optouts.is_opted_out("+31621000044") and flow.failed_jobs() == []
    assert [m["sandbox_auto_reply"] for m in sms_to(flow, "+31621000044")] == [None, "STOP"]
