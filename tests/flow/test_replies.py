"""Customers confirm and cancel by replying, about the right appointment; every reply
is handled once and answered once (opt-out words: `test_reply_opt_outs`)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

import pytest

from bridge.booking import BookingMode, Label
from bridge.domain.messages import MessageKind
from bridge.store import keys
from tests.contract.helpers import book, bookable_slot, new_customer
from tests.flow.conftest import Flow
from workers import replies

MakeFlow = Callable[..., Flow]


def prompted(flow: Flow, number: str, days: int = 3, index: int = 0) -> int:
    """Book a pending appointment for a customer at `number`; its prompt goes out."""
    slot = bookable_slot(flow.api, flow.clock.now().date() + timedelta(days=days), index=index)
    appointment = book(flow.api, slot, new_customer(flow.api, mobile_phone=number))
    flow.poll()
    flow.ticker.tick()
    flow.run_jobs()
    assert flow.twilio.wait_idle(10)
    return appointment


def reply(flow: Flow, e164: str, body: str) -> str:
    """The customer replies; Twilio delivers it to the ingress; the workers handle it."""
    result = flow.twilio.inbound(e164, body)
    assert result["webhook"] and result["webhook"]["status"] == 200, result
    flow.run_jobs()
    assert flow.twilio.wait_idle(10)
    return str(result["message"]["sid"])


def answers(flow: Flow, e164: str) -> list[str]:
    return [r.kind for r in flow.rt.messages.recent(200)
            if r.recipient == e164 and r.kind.startswith("reply_")]


def code_of(flow: Flow, appointment: int) -> str:
    return str(next(m["code"] for m in flow.booking.outbox()
                    if m["appointment_id"] == appointment))


def kinds_after_a_poll(flow: Flow, appointment: int) -> list[str]:
    """Poll, send what that made due, and list the kinds of the appointment's messages."""
    flow.poll()
    flow.ticker.tick()
    flow.run_jobs()
    assert flow.twilio.wait_idle(10)
    return [r.kind for r in flow.rt.messages.recent(200) if r.appointment_id == appointment]


def started(flow: Flow) -> Flow:
    flow.ticker.tick()
    flow.run_jobs()
    return flow


def test_confirm_with_the_right_code(flow: Flow) -> None:
    started(flow)
    appointment = prompted(flow, "06-21000001")
    reply(flow, "+31621000001", f"  {code_of(flow, appointment).lower()}! ")
    assert flow.api.get_appointment(appointment).label is Label.APPROVED
    assert answers(flow, "+31621000001") == ["reply_confirmed"]
    prompts = [m for m in flow.planned_for(appointment) if m.kind is MessageKind.CONFIRM_REQUEST]
    assert prompts == []


def test_a_wrong_code_changes_nothing(flow: Flow) -> None:
    started(flow)
    appointment = prompted(flow, "06-21000002")
    reply(flow, "+31621000002", "ZZ9ZZ9")
    assert flow.api.get_appointment(appointment).label is Label.PENDING
    assert answers(flow, "+31621000002") == ["reply_wrong_code"]


def test_ja_without_a_known_code_asks_for_it_and_with_one_confirms(flow: Flow) -> None:
    started(flow)
    appointment = prompted(flow, "06-21000003")
    reply(flow, "+31621000003", "Ja")
    assert answers(flow, "+31621000003") == ["reply_need_code"]
    # The operator page shows the wait for the code as the number's pending question.
    waiting = flow.rt.conversations.states(["+31621000003"])["+31621000003"]
    assert waiting.code_asked == appointment
    # A change notice that carries the code (as an upstream may send it) lets JA confirm.
    flow.redis.set(keys.confirmation_code(appointment), code_of(flow, appointment))
    reply(flow, "+31621000003", "JA")
    assert flow.api.get_appointment(appointment).label is Label.APPROVED
    settled = flow.rt.conversations.states(["+31621000003"])["+31621000003"]
    assert settled.code_asked is None


def test_cancel_in_time_drops_the_reminders(flow: Flow) -> None:
    started(flow)
    appointment = prompted(flow, "06-21000004")
    assert any(m.kind is MessageKind.REMINDER for m in flow.planned_for(appointment))
    reply(flow, "+31621000004", "nee")
    assert flow.api.get_appointment(appointment).label is Label.CANCELLED
    assert not any(m.kind is MessageKind.REMINDER for m in flow.planned_for(appointment))
    assert answers(flow, "+31621000004") == ["reply_cancelled"]
    # the poll sees the cancellation: no second message about it
    assert "cancelled" not in kinds_after_a_poll(flow, appointment)


def test_cancel_too_late_says_so_and_cancels_nothing(flow: Flow) -> None:
    started(flow)
    appointment = prompted(flow, "06-21000005")
    start = flow.api.get_appointment(appointment).start
    flow.clock.set(start - timedelta(minutes=30))
    reply(flow, "+31621000005", "NEE")
    assert flow.api.get_appointment(appointment).label is Label.PENDING
    assert answers(flow, "+31621000005") == ["reply_too_late"]


def test_an_unknown_number_gets_no_appointment(flow: Flow) -> None:
    started(flow)
    reply(flow, "+31621000006", "JA")
    assert answers(flow, "+31621000006") == ["reply_no_appointment"]


def test_two_open_appointments_ask_which_then_act_on_the_choice(flow: Flow) -> None:
    started(flow)
    first = prompted(flow, "06-21000007", days=3)
    slot = bookable_slot(flow.api, flow.clock.now().date() + timedelta(days=4), index=5)
    customer = flow.api.get_appointment(first).customer_id or 0
    second = book(flow.api, slot, customer)
    flow.poll()
    flow.ticker.tick()
    flow.run_jobs()
    reply(flow, "+31621000007", "NEE")
    assert answers(flow, "+31621000007") == ["reply_choose"]
    assert flow.api.get_appointment(first).label is Label.PENDING
    reply(flow, "+31621000007", "2")
    assert flow.api.get_appointment(second).label is Label.CANCELLED
    assert flow.api.get_appointment(first).label is Label.PENDING


def test_a_reply_sent_while_the_ingress_was_down_is_recovered_once(flow: Flow) -> None:
    started(flow)
    appointment = prompted(flow, "06-21000010")
    flow.twilio.inbound("+31621000010", code_of(flow, appointment), deliver=False)
    replies.reconcile_inbound()
    flow.run_jobs()
    replies.reconcile_inbound()  # found again: already known
    flow.run_jobs()
    assert flow.api.get_appointment(appointment).label is Label.APPROVED
    assert answers(flow, "+31621000010") == ["reply_confirmed"]


def test_the_same_message_sid_twice_is_handled_once(flow: Flow) -> None:
    started(flow)
    prompted(flow, "06-21000011")
    sid = reply(flow, "+31621000011", "hoe laat?")
    redelivered = flow.twilio.deliver_inbound(sid).result(10)
    assert redelivered["webhook"]["status"] == 200
    flow.run_jobs()
    assert answers(flow, "+31621000011") == ["reply_help"]


def test_an_upstream_error_during_confirm_is_retried_with_one_answer(flow: Flow) -> None:
    started(flow)
    appointment = prompted(flow, "06-21000012")
    real = flow.rt.booking.confirm_appointment
    calls = []

    def failing(appointment_id: int, code: str) -> bool:
        calls.append(code)
        if len(calls) == 1:
            from bridge.booking import BookingTransportError

            raise BookingTransportError("booking API down")
        return real(appointment_id, code)

    flow.rt.booking.confirm_appointment = failing  # type: ignore[method-assign]
    sid = reply(flow, "+31621000012", code_of(flow, appointment))
    assert flow.api.get_appointment(appointment).label is Label.PENDING  # failed, will retry
    replies.handle_reply(sid)  # the retry RQ's scheduler would run
    replies.handle_reply(sid)  # and a duplicate of it
    assert flow.api.get_appointment(appointment).label is Label.APPROVED
    assert answers(flow, "+31621000012") == ["reply_confirmed"]


def test_a_reply_after_the_appointment_started_finds_nothing_to_act_on(flow: Flow) -> None:
    started(flow)
    appointment = prompted(flow, "06-21000013")
    flow.clock.set(flow.api.get_appointment(appointment).start + timedelta(minutes=5))
    reply(flow, "+31621000013", "NEE")
    assert answers(flow, "+31621000013") == ["reply_no_appointment"]
    assert flow.api.get_appointment(appointment).label is Label.PENDING


def test_a_reply_after_the_old_start_of_a_moved_appointment_still_finds_it(flow: Flow) -> None:
    """The bridge remembers the start it asked about; the practice may move the
    appointment later, and the customer answer after the old start (the soak found it)."""
    started(flow)
    appointment = prompted(flow, "06-21000017")
    before = flow.api.get_appointment(appointment)
    later = before.start + timedelta(days=1)
    flow.api.set_appointment(
        27041, before.customer_id or 0, before.appointment_type_id or 0,
        later.date(), later.time(),
        appointment_id=appointment, booking_mode=BookingMode.CUSTOMER,
    )
    flow.clock.set(before.start + timedelta(minutes=5))
    reply(flow, "+31621000017", code_of(flow, appointment))
    assert answers(flow, "+31621000017") == ["reply_confirmed"]
    assert flow.api.get_appointment(appointment).label is Label.APPROVED


@pytest.mark.parametrize("word", ["nee", "code"])
def test_a_reply_whose_worker_died_after_acting_upstream_gets_its_answer(
        flow: Flow, word: str) -> None:
    """Seen in the soak: the worker handling a NEE was killed after the booking API
    cancelled, before the answer was decided; the retry found the appointment no longer
    open and answered "no appointment". The stored confirm or cancel is made again."""
    started(flow)
    number = "06-2100009" + ("1" if word == "nee" else "2")
    e164 = "+31" + number[1:].replace("-", "")
    appointment = prompted(flow, number)
    code = code_of(flow, appointment)
    body = "NEE" if word == "nee" else code
    result = flow.twilio.inbound(e164, body, deliver=False)
    sid = str(result["message"]["sid"])
    replies.reconcile_inbound()  # recorded and queued, not yet handled
    # What the killed attempt did before it died:
    flow.rt.inbound.act(sid, json.dumps({"step": "cancel" if word == "nee" else "confirm",
                                         "appointment": appointment, "code": code}))
    if word == "nee":
        flow.api.cancel_appointment(appointment)
        flow.rt.conversations.forget(e164, appointment)
    else:
        assert flow.api.confirm_appointment(appointment, code)
    flow.run_jobs()
    assert flow.twilio.wait_idle(10)
    expected = "reply_cancelled" if word == "nee" else "reply_confirmed"
    assert answers(flow, e164) == [expected]
    label = flow.api.get_appointment(appointment).label
    assert label is (Label.CANCELLED if word == "nee" else Label.APPROVED)
