"""Messages go out exactly once, on the right channel, in the customer's language."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from bridge.booking import BookingMode, CancelMode
from bridge.domain.messages import MessageKind
from bridge.outbound.sms import SmsReceipt
from bridge.store import keys
from bridge.store.claims import ORPHAN_SECONDS, STALE_SECONDS, Claims
from tests.contract.helpers import book, bookable_slot, new_customer
from tests.flow.conftest import Flow
from tests.flow.test_replies import code_of
from workers.deliver import deliver_batch

MakeFlow = Callable[..., Flow]


def booked(flow: Flow, days: int = 3, index: int = 0, **customer: str) -> int:
    slot = bookable_slot(flow.api, flow.clock.now().date() + timedelta(days=days), index=index)
    return book(flow.api, slot, new_customer(flow.api, **customer))


def settle(flow: Flow) -> None:
    """Poll, send what became due, and let the provider's callbacks arrive."""
    flow.poll()
    flow.ticker.tick()
    flow.run_jobs()
    assert flow.twilio.wait_idle(10)


def send_reminders(flow: Flow, appointment_id: int) -> None:
    reminder = next(m for m in flow.planned_for(appointment_id)
                    if m.kind is MessageKind.REMINDER)
    flow.clock.set(reminder.send_at + timedelta(seconds=1))
    flow.ticker.tick()
    flow.run_jobs()
    assert flow.twilio.wait_idle(10)


def to(flow: Flow, number: str) -> list[dict[str, object]]:
    return [m for m in flow.twilio.messages() if m["to"] == number]


def test_prompt_and_reminder_by_sms_once_each_and_delivered(flow: Flow) -> None:
    flow.ticker.tick()
    flow.run_jobs()
    appointment = booked(flow, mobile_phone="06-11112222")
    settle(flow)
    prompts = to(flow, "+31611112222")
    assert len(prompts) == 1
    assert "JA" in str(prompts[0]["body"]) and "NEE" in str(prompts[0]["body"])
    send_reminders(flow, appointment)
    settle(flow)
    sent = to(flow, "+31611112222")
    assert len(sent) == 2 and any("Herinnering" in str(m["body"]) for m in sent)
    records = [r for r in flow.sent() if r.appointment_id == appointment]
    assert sorted(r.kind for r in records) == ["confirm_request", "reminder"]
    assert all(r.status == "delivered" for r in records)
    assert [s["status"] for s in records[0].timeline][-1] == "delivered"
    flow.ticker.tick()
    flow.run_jobs()  # nothing left to send: still two
    assert len(to(flow, "+31611112222")) == 2


def test_email_when_there_is_no_mobile_and_english_when_asked(flow: Flow) -> None:
    flow.ticker.tick()
    flow.run_jobs()
    booked(flow, mobile_phone="", email="noor.english@example.nl", first_name="Noor",
           extra_fields={"Taal": "en"})  # type: ignore[arg-type]
    settle(flow)
    mails = flow.mail.wait_for_messages(1)
    mail = next(m for m in mails if "noor.english@example.nl" in str(m["to"]))
    assert "confirm" in str(mail["subject"]).lower()
    assert "Noor" in str(mail["text"]) and mail["html"]
    assert any(name == "List-Unsubscribe" for name, _ in mail["headers"])  # type: ignore[union-attr]


def test_both_channels_when_the_policy_says_so(make_flow: MakeFlow) -> None:
    flow = make_flow(OABRIDGE_CHANNELS="confirm_request:both")
    flow.ticker.tick()
    flow.run_jobs()
    booked(flow, mobile_phone="06-33334444", email="beide@example.nl")
    settle(flow)
    assert len(to(flow, "+31633334444")) == 1
    assert any("beide@example.nl" in str(m["to"]) for m in flow.mail.messages())


def test_invalid_numbers_and_opt_outs_are_recorded_not_sent(make_flow: MakeFlow) -> None:
    flow = make_flow(OABRIDGE_CHANNELS="confirm_request:sms")
    flow.ticker.tick()
    flow.run_jobs()
    flow.rt.optouts.opt_out("+31655556666", "STOP", flow.clock.now())
    invalid = booked(flow, mobile_phone="0201234567", email="vast@example.nl")
    stopped = booked(flow, index=2, mobile_phone="06-55556666")
    settle(flow)
    assert to(flow, "+31655556666") == []
    reasons = {(s["appointment"], s["reason"]) for s in flow.skipped()}
    assert (str(invalid), "not_a_mobile_number") in reasons
    assert (str(stopped), "opted_out") in reasons
    logged = {r.appointment_id: r for r in flow.rt.messages.recent(100)}
    assert logged[stopped].status == "skipped"


def test_a_429_is_retried_and_the_message_sent_once(flow: Flow) -> None:
    for _ in range(2):  # the first poll, then the demo practice's own prompts go out
        flow.ticker.tick()
        flow.run_jobs()
    flow.twilio.faults.push(429, 20429)
    booked(flow, mobile_phone="06-17778888")
    settle(flow)
    assert len(to(flow, "+31617778888")) == 1
    record = next(r for r in flow.sent() if r.recipient == "+31617778888")
    steps = [s["status"] for s in record.timeline]
    assert steps[:3] == ["claimed", "retrying", "sent"]  # then Twilio's own reports
    assert flow.failed_jobs() == []


def test_a_permanent_error_is_recorded_and_not_retried(flow: Flow) -> None:
    flow.ticker.tick()
    flow.run_jobs()
    booked(flow, mobile_phone="+15005550001")  # Twilio's magic invalid number
    settle(flow)
    record = next(r for r in flow.rt.messages.recent(100) if r.recipient == "+15005550001")
    assert record.status == "failed"
    assert any(s.get("code") == 21211 for s in record.timeline)
    assert to(flow, "+15005550001") == []
    assert flow.failed_jobs() == []


def claim_for(flow: Flow, appointment: int) -> tuple[str, list[str]]:
    keys = [m.key for m in flow.planned_for(appointment)
            if m.kind is MessageKind.CONFIRM_REQUEST]
    return f"{keys[0]}:sms", keys


def test_a_worker_killed_between_claim_and_provider_call(flow: Flow) -> None:
    flow.ticker.tick()
    flow.run_jobs()
    appointment = booked(flow, mobile_phone="06-12121212")
    flow.clock.advance(timedelta(seconds=60))
    flow.ticker.tick()  # polls: the prompt is planned and due...
    flow.run_jobs()
    message_id, message_keys = claim_for(flow, appointment)
    assert to(flow, "+31612121212") == []  # (the poll ran; sending is next)
    flow.rt.claims.claim(message_id, flow.clock.now())  # ...a worker claims it and dies
    flow.clock.advance(timedelta(seconds=STALE_SECONDS + 1))
    deliver_batch(message_keys)
    assert flow.twilio.wait_idle(10)
    assert len(to(flow, "+31612121212")) == 1  # Twilio had nothing, so it went out once
    record = flow.rt.messages.get(message_id)
    assert record is not None and record.provider_id


def test_a_worker_killed_after_the_provider_call(flow: Flow) -> None:
    flow.ticker.tick()
    flow.run_jobs()
    appointment = booked(flow, mobile_phone="06-13131313")
    flow.clock.advance(timedelta(seconds=60))
    flow.ticker.tick()
    flow.run_jobs()
    message_id, message_keys = claim_for(flow, appointment)
    deliver_batch(message_keys)
    assert len(to(flow, "+31613131313")) == 1
    # The worker dies after Twilio accepted it but before recording that.
    flow.redis.set(f"oab:claim:{message_id}", f"in_flight:dead:{int(flow.clock.now().timestamp())}")
    flow.clock.advance(timedelta(seconds=STALE_SECONDS + 1))
    deliver_batch(message_keys)
    assert len(to(flow, "+31613131313")) == 1  # found at Twilio: not sent again


def prompt_due(flow: Flow, **customer: str) -> tuple[int, str, list[str]]:
    """A booked appointment whose prompt the poll planned and which is due now: the
    appointment, its SMS's message id and the message keys."""
    flow.ticker.tick()
    flow.run_jobs()
    appointment = booked(flow, **customer)
    flow.clock.advance(timedelta(seconds=60))
    flow.ticker.tick()
    flow.run_jobs()
    message_id, message_keys = claim_for(flow, appointment)
    return appointment, message_id, message_keys


def dead_workers_claim(flow: Flow, message_id: str) -> None:
    """The claim a worker that then died (its alive key gone) made just now."""
    Claims(flow.redis, 3600, holder="killed-worker").claim(message_id, flow.clock.now())


@pytest.mark.parametrize("sent_before_death", [False, True], ids=["not sent", "sent"])
def test_a_killed_workers_send_is_settled_within_orphan_seconds(
        flow: Flow, sent_before_death: bool) -> None:
    """The soak's kill takes a worker's whole session mid-send, and its job is handed back
    within seconds: the claim it left is not dropped as another attempt's (the message
    would never go out) nor left for two minutes (a reminder 30 s ahead would meet its
    appointment), but held until its worker is surely gone, then asked about at Twilio."""
    number = "+3161313131" + ("4" if sent_before_death else "5")
    _, message_id, message_keys = prompt_due(flow, mobile_phone="0" + number[3:])
    if sent_before_death:
        deliver_batch(message_keys)
        assert flow.twilio.wait_idle(10)
        flow.redis.delete(keys.send_claim(message_id))
    dead_workers_claim(flow, message_id)
    flow.clock.advance(timedelta(seconds=5))  # its alive key lapsed; its job handed back
    result = deliver_batch(message_keys)
    assert result["held"] == 1
    planned = flow.redis.zscore(keys.SCHEDULE, message_keys[0])
    assert planned is not None and planned > flow.clock.now().timestamp()
    flow.clock.advance(timedelta(seconds=ORPHAN_SECONDS))
    flow.ticker.tick()  # dispatched again: the claim is stale now
    flow.run_jobs()
    assert flow.twilio.wait_idle(10)
    assert len(to(flow, number)) == 1
    record = flow.rt.messages.get(message_id)
    assert record is not None and record.status in {"sent", "delivered"}
    assert record.provider_id


def sent_unrecorded(flow: Flow, mobile: str) -> tuple[int, str, list[str], str]:
    """A prompt Twilio accepted from a worker that died before recording the send or
    linking it: (appointment, its SMS's message id, the message keys, Twilio's SID)."""
    appointment, message_id, message_keys = prompt_due(flow, mobile_phone=mobile)
    deliver_batch(message_keys)
    assert flow.twilio.wait_idle(10)
    sid = str(flow.rt.messages.get(message_id).provider_id)  # type: ignore[union-attr]
    flow.redis.delete(keys.send_claim(message_id))
    dead_workers_claim(flow, message_id)
    flow.redis.hset(keys.message(message_id), "provider_id", "")
    flow.redis.delete(keys.provider_message(sid))
    return appointment, message_id, message_keys, sid


@pytest.mark.parametrize("then", ["started", "cancelled", "confirmed"])
def test_a_killed_workers_sms_is_found_though_nothing_sends_it_again(
        flow: Flow, then: str) -> None:
    """The soak's case: the worker was killed after Twilio accepted the SMS, and by the
    time its message came round again the appointment had started, or was cancelled
    (its plan gone). The customer has the SMS: it is recorded as sent with Twilio's
    id, not left unlinked."""
    number = "06-1313131" + {"started": "6", "cancelled": "9", "confirmed": "7"}[then]
    appointment, message_id, message_keys, sid = sent_unrecorded(flow, number)
    if then == "started":
        flow.clock.set(flow.api.get_appointment(appointment).start + timedelta(minutes=1))
    elif then == "cancelled":
        flow.api.cancel_appointment(appointment, mode=CancelMode.COMPANY)
        flow.poll()  # the plan drops the prompt
    else:  # the customer answered the prompt they got (the full soak's case)
        flow.api.confirm_appointment(appointment, code_of(flow, appointment))
        flow.poll()
    deliver_batch(message_keys)  # (for the cancelled one, the poll's may have come first)
    if then == "started":
        assert [s for s in flow.skipped() if s["appointment"] == str(appointment)] == []
    if then == "confirmed":  # confirmed by the customer's answer to the SMS
        flow.clock.advance(timedelta(seconds=STALE_SECONDS + 1))
        flow.ticker.tick()  # a hold's redelivery, if any
        flow.run_jobs()
    assert len(to(flow, "+31" + number[1:].replace("-", ""))) == 1
    record = flow.rt.messages.get(message_id)
    assert record is not None and record.provider_id == sid


@pytest.mark.parametrize("handing", [False, True], ids=["before-data", "during-data"])
def test_a_killed_workers_email_is_sent_unless_it_reached_the_mail_server(
        flow: Flow, handing: bool) -> None:
    """An e-mail's claim is marked just before SMTP's DATA. A worker killed before the
    mark handed nothing over: the e-mail goes, once. Killed after it: the server may
    have it, and nobody can ask; recorded as unknown, never sent twice."""
    flow.ticker.tick()
    flow.run_jobs()
    address = f"gedood.{'tijdens' if handing else 'voor'}@example.nl"
    appointment = booked(flow, mobile_phone="", email=address)
    flow.clock.advance(timedelta(seconds=60))
    flow.ticker.tick()
    flow.run_jobs()
    keys_ = [m.key for m in flow.planned_for(appointment)
             if m.kind is MessageKind.CONFIRM_REQUEST]
    message_id = f"{keys_[0]}:email"
    dead = Claims(flow.redis, 3600, holder="killed-worker")
    dead.claim(message_id, flow.clock.now())
    if handing:
        dead.mark_handing(message_id)
    flow.clock.advance(timedelta(seconds=ORPHAN_SECONDS))
    deliver_batch(keys_)
    record = flow.rt.messages.get(message_id)
    assert record is not None
    mails = [m for m in flow.mail.messages() if m["to"] == address]
    if handing:
        assert mails == [] and record.status == "unknown"
    else:
        assert len(flow.mail.wait_for_messages(1)) >= 1
        assert len([m for m in flow.mail.messages() if m["to"] == address]) == 1
        assert record.status == "sent"


def test_the_conversation_is_remembered_before_the_sms_is_handed_over(flow: Flow) -> None:
    """A worker killed after Twilio accepted a prompt, before anything after it, must
    leave the customer able to answer it: the soak's code answered "no appointment"
    while the dead worker's claim waited to be settled."""
    appointment, _, message_keys = prompt_due(flow, mobile_phone="06-13131317")
    sms = flow.rt.sending.sms
    assert sms is not None
    real, asked = sms.send, []

    def watched(to: str, body: str, callback: str | None) -> SmsReceipt:
        asked.append(flow.rt.sending.conversations.asked_about(to))
        return real(to, body, callback)

    sms.send = watched  # type: ignore[method-assign]
    deliver_batch(message_keys)
    assert asked == [[appointment]]


def test_a_message_emailed_while_opted_out_is_not_sent_by_sms_when_run_again(
        flow: Flow) -> None:
    """Under sms_or_email a message goes one way. Seen in the soak: a notice e-mailed
    while the number was opted out went again by SMS when a killed worker's job ran
    again after the customer's START."""
    number = "+31613131318"
    optouts = flow.rt.sending.optouts
    flow.ticker.tick()
    flow.run_jobs()
    optouts.opt_out(number, "STOP", flow.clock.now())
    _, _, message_keys = prompt_due(flow, mobile_phone="06-13131318",
                                   email="eenmalig@example.nl")
    deliver_batch(message_keys)  # (the poll's own dispatch may have sent it already)
    assert [m["to"] for m in flow.mail.wait_for_messages(1)].count("eenmalig@example.nl") == 1
    optouts.opt_in(number, flow.clock.now())  # START
    result = deliver_batch(message_keys)  # the job run again
    assert result["outcomes"] == {"duplicate": 1}
    assert to(flow, number) == []
    assert [m["to"] for m in flow.mail.messages()].count("eenmalig@example.nl") == 1


def test_duplicate_send_jobs_send_once(flow: Flow) -> None:
    flow.ticker.tick()
    flow.run_jobs()
    appointment = booked(flow, mobile_phone="06-14141414")
    flow.clock.advance(timedelta(seconds=60))
    flow.ticker.tick()
    flow.run_jobs()
    _, message_keys = claim_for(flow, appointment)
    for _ in range(3):
        deliver_batch(message_keys + message_keys)
    assert len(to(flow, "+31614141414")) == 1


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_kind_reaches_both_channels(make_flow: MakeFlow, lang: str) -> None:
    flow = make_flow(OABRIDGE_CHANNELS=",".join(f"{k.value}:both" for k in MessageKind))
    flow.ticker.tick()
    flow.run_jobs()
    number = "06-15151515" if lang == "nl" else "06-16161616"
    appointment = booked(flow, mobile_phone=number, email=f"alles.{lang}@example.nl",
                         extra_fields={"Taal": lang})  # type: ignore[arg-type]
    settle(flow)  # confirm_request
    before = flow.api.get_appointment(appointment)
    moved = before.start + timedelta(hours=1)
    flow.api.set_appointment(27041, before.customer_id or 0, before.appointment_type_id or 0,
                             moved.date(), moved.time(), appointment_id=appointment,
                             booking_mode=BookingMode.CUSTOMER)
    settle(flow)  # rescheduled
    send_reminders(flow, appointment)  # reminder, for the new time
    flow.api.cancel_appointment(appointment, mode=CancelMode.COMPANY)
    settle(flow)  # cancelled
    kinds = {(r.kind, r.channel) for r in flow.sent("sms") + flow.sent("email")
             if r.appointment_id == appointment}
    assert kinds == {(k.value, c) for k in MessageKind for c in ("sms", "email")}


def test_metrics_count_messages_by_status(flow: Flow) -> None:
    flow.ticker.tick()
    flow.run_jobs()
    booked(flow, mobile_phone="06-17171717")
    settle(flow)
    import httpx

    text = httpx.get(f"{flow.settings.public_url}/metrics").text
    assert 'oabridge_messages{status="delivered"}' in text
    assert 'oabridge_events{type="created"}' in text


class _Killed(BaseException):
    """The worker's process dies here (nothing after it runs)."""


def test_the_sms_is_linked_before_its_claim_says_done(
        flow: Flow, monkeypatch: pytest.MonkeyPatch) -> None:
    """The full soak: a batch's thread killed between its claim's done and the link left
    the SMS sent, the claim done and nothing linking them, for good. Linked first, a
    kill before the done leaves a claim in flight, settled at Twilio by the next
    attempt, and no second SMS."""
    _, message_id, message_keys = prompt_due(flow, mobile_phone="06-13131320")

    def killed(*_args: object) -> None:
        raise _Killed

    monkeypatch.setattr(flow.rt.sending.claims, "finish", killed)
    with pytest.raises(_Killed):
        deliver_batch(message_keys)
    monkeypatch.undo()
    assert flow.twilio.wait_idle(10)
    record = flow.rt.messages.get(message_id)
    assert record is not None and record.provider_id  # linked, though not done
    flow.redis.set(keys.send_claim(message_id),  # its claim: the dead worker's
                   f"in_flight:dead:{int(flow.clock.now().timestamp())}")
    flow.clock.advance(timedelta(seconds=STALE_SECONDS + 1))
    deliver_batch(message_keys)
    assert len(to(flow, "+31613131320")) == 1
    settled = flow.rt.messages.get(message_id)
    assert settled is not None and settled.provider_id == record.provider_id


def test_a_prompt_twilio_refused_for_now_leaves_no_conversation_open(flow: Flow) -> None:
    """The full soak: a prompt's conversation is opened just before the provider call;
    Twilio refused the SMS for now (429), the appointment was confirmed before the retry,
    and the customer, who had got nothing, sent NEE: the bridge cancelled. A refusal
    closes the conversation its attempt opened; one an earlier SMS opened stays."""
    appointment, message_id, message_keys = prompt_due(flow, mobile_phone="06-17778889")
    assert to(flow, "+31617778889") == []
    flow.twilio.faults.push(429, 20429)
    deliver_batch(message_keys)  # refused for now: planned again, not sent
    assert to(flow, "+31617778889") == []
    assert not flow.rt.conversations.has("+31617778889", appointment)
    flow.rt.conversations.remember("+31617778889", appointment, "reminder",
                                   flow.clock.now(), flow.clock.now())  # an earlier SMS's
    flow.redis.delete(keys.send_claim(message_id))
    flow.twilio.faults.push(429, 20429)
    deliver_batch(message_keys)
    assert flow.rt.conversations.has("+31617778889", appointment)


def test_a_refused_prompt_leaves_open_what_a_reminder_sent_meanwhile_opened(
        flow: Flow) -> None:
    """The suite's short soak: a prompt's attempt opened the conversation, a reminder
    about the same appointment went out (it found the conversation open), then Twilio
    refused the prompt for now and its attempt closed the conversation: the customer's
    NEE to the reminder was answered "no appointment". The refused attempt now puts
    back only what it wrote itself."""
    appointment, _, message_keys = prompt_due(flow, mobile_phone="06-17778890")
    sms = flow.rt.sending.sms
    assert sms is not None
    real = sms.send

    def reminder_meanwhile(to: str, body: str, callback: str | None) -> SmsReceipt:
        flow.rt.conversations.remember(to, appointment, "reminder", flow.clock.now(),
                                       flow.clock.now(), by="the-reminder")
        return real(to, body, callback)

    sms.send = reminder_meanwhile  # type: ignore[method-assign]
    flow.twilio.faults.push(429, 20429)
    deliver_batch(message_keys)  # the prompt refused for now
    assert to(flow, "+31617778890") == []
    assert flow.rt.conversations.asked_about("+31617778890") == [appointment]
