"""A PENDING appointment that moves gets one SMS that tells the new time and asks to
confirm, not a move notice and a prompt (issue #13); answering it confirms."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from bridge.booking import BookingMode, Label
from bridge.domain.messages import MessageKind
from bridge.store import keys
from tests.contract.helpers import book, bookable_slot, new_customer
from tests.flow.conftest import Flow
from tests.flow.test_replies import started
from tests.flow.test_sending import settle

MakeFlow = Callable[..., Flow]
AMS_TIME = "%H:%M"


def prompted(flow: Flow, number: str) -> int:
    """A pending appointment three days ahead, its prompt sent."""
    slot = bookable_slot(flow.api, flow.clock.now().date() + timedelta(days=3))
    appointment = book(flow.api, slot, new_customer(flow.api, mobile_phone=number))
    settle(flow)
    return appointment


def move(flow: Flow, appointment: int, by: timedelta) -> datetime:
    before = flow.api.get_appointment(appointment)
    start = before.start + by
    flow.api.set_appointment(27041, before.customer_id or 0, before.appointment_type_id or 0,
                             start.date(), start.time(), appointment_id=appointment,
                             booking_mode=BookingMode.CUSTOMER)
    return flow.api.get_appointment(appointment).start


def texts_to(flow: Flow, e164: str) -> list[str]:
    """The bridge's SMS to a number, oldest first (not Twilio's own answers)."""
    mine = [m for m in flow.twilio.messages() if m["to"] == e164 and not m["sandbox_auto_reply"]]
    return [str(m["body"]) for m in sorted(mine, key=lambda m: str(m["sandbox_created_at"]))]


def local_time(flow: Flow, moment: datetime) -> str:
    return moment.astimezone(flow.settings.tz).strftime(AMS_TIME)


def code_of(flow: Flow, appointment: int) -> str:
    return str(next(m["code"] for m in flow.booking.outbox()
                    if m["appointment_id"] == appointment))


def reply(flow: Flow, e164: str, body: str) -> None:
    result = flow.twilio.inbound(e164, body)
    assert result["webhook"] and result["webhook"]["status"] == 200, result
    flow.run_jobs()
    assert flow.twilio.wait_idle(10)


def conversation(flow: Flow, e164: str, appointment: int) -> dict[str, Any]:
    raw = flow.redis.hget(keys.conversation(e164), str(appointment))
    assert raw is not None
    return dict(json.loads(raw))


def test_a_moved_pending_appointment_gets_one_sms_and_answering_it_confirms(
        flow: Flow) -> None:
    started(flow)
    appointment = prompted(flow, "06-31000001")
    assert len(texts_to(flow, "+31631000001")) == 1  # the prompt
    start = move(flow, appointment, timedelta(days=1))
    settle(flow)
    flow.poll()  # seen again (and by a reconciliation): still nothing more
    flow.ticker.tick()
    flow.run_jobs()
    texts = texts_to(flow, "+31631000001")
    assert len(texts) == 2
    one = texts[1]
    assert "verplaatst" in one and local_time(flow, start) in one
    assert "bevestigen" in one and "Antwoord JA" in one and "NEE" in one
    logged = [r for r in flow.sent() if r.appointment_id == appointment]
    assert [r.kind for r in logged] == ["confirm_request", "rescheduled"]
    ts = int(start.timestamp())
    assert logged[1].message_key == f"{appointment}:rescheduled::{ts}"
    assert not any(m.kind is MessageKind.CONFIRM_REQUEST for m in flow.planned_for(appointment))
    assert {"kind": "confirm_request", "reason": "asked_in_rescheduled_notice",
            "start": str(ts)}.items() <= next(
        s for s in flow.skipped() if s["reason"] == "asked_in_rescheduled_notice").items()
    # The one text opened the reply conversation for the new start, as a prompt does.
    assert conversation(flow, "+31631000001", appointment) | {"at": 0} == {
        "kind": "rescheduled", "start": ts, "at": 0,
        "by": f"{appointment}:rescheduled::{ts}:sms"}
    reply(flow, "+31631000001", code_of(flow, appointment))
    assert flow.api.get_appointment(appointment).label is Label.APPROVED
    answers = [r.kind for r in flow.rt.messages.recent(100) if r.kind.startswith("reply_")]
    assert answers == ["reply_confirmed"]


def test_ja_to_the_one_text_confirms_with_a_known_code(flow: Flow) -> None:
    started(flow)
    appointment = prompted(flow, "06-31000002")
    flow.redis.delete(keys.conversation("+31631000002"))  # as if never asked before
    move(flow, appointment, timedelta(hours=2))
    settle(flow)
    assert len(texts_to(flow, "+31631000002")) == 2
    flow.redis.set(keys.confirmation_code(appointment), code_of(flow, appointment))
    reply(flow, "+31631000002", "JA")
    assert flow.api.get_appointment(appointment).label is Label.APPROVED


def test_without_move_notices_the_prompt_for_the_new_time_still_goes_out(
        make_flow: MakeFlow) -> None:
    flow = started(make_flow(OABRIDGE_NOTIFY_RESCHEDULED="false"))
    appointment = prompted(flow, "06-31000003")
    start = move(flow, appointment, timedelta(days=1))
    settle(flow)
    texts = texts_to(flow, "+31631000003")
    assert len(texts) == 2
    assert "verplaatst" not in texts[1] and local_time(flow, start) in texts[1]
    assert "Antwoord JA" in texts[1]
    kinds = [r.kind for r in flow.sent() if r.appointment_id == appointment]
    assert kinds == ["confirm_request", "confirm_request"]


def test_on_different_channels_the_notice_and_the_prompt_keep_theirs(
        make_flow: MakeFlow) -> None:
    flow = started(make_flow(OABRIDGE_CHANNELS="rescheduled:email"))
    appointment = prompted(flow, "06-31000004")
    move(flow, appointment, timedelta(days=1))
    settle(flow)
    sent = [(r.kind, r.channel) for r in flow.sent("sms") + flow.sent("email")
            if r.appointment_id == appointment]
    assert sorted(sent) == [("confirm_request", "sms"), ("confirm_request", "sms"),
                            ("rescheduled", "email")]


def test_in_quiet_hours_one_text_at_eight_and_plain_if_confirmed_by_then(flow: Flow) -> None:
    started(flow)
    asked = prompted(flow, "06-31000005")
    confirmed = prompted(flow, "06-31000006")
    evening = flow.clock.now().astimezone(flow.settings.tz).replace(hour=22, minute=30)
    flow.clock.set(evening)
    move(flow, asked, timedelta(days=1))
    move(flow, confirmed, timedelta(days=1))
    settle(flow)
    assert len(texts_to(flow, "+31631000005")) == 1  # quiet: nothing yet
    assert flow.api.confirm_appointment(confirmed, code_of(flow, confirmed))  # by phone
    flow.clock.set(evening.replace(hour=8, minute=1) + timedelta(days=1))
    flow.ticker.tick()
    flow.run_jobs()
    assert flow.twilio.wait_idle(10)
    (_, one) = texts_to(flow, "+31631000005")
    assert "verplaatst" in one and "Antwoord JA" in one
    (_, plain) = texts_to(flow, "+31631000006")
    assert "verplaatst" in plain and "JA" not in plain  # confirmed meanwhile: nothing to ask
