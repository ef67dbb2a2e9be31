"""Redis forgets (#16): the bridge notices, and asks Twilio before it repeats.

The issue's reproduction: messages delivered, then the database emptied (as after a
restart without persistence), and within a minute every prompt and reminder went out
again. Here: prompts and a reminder delivered by SMS, a prompt by e-mail, a reply
answered two minutes before; FLUSHDB; the bridge polls again (its processes running on,
or restarted with the Redis). Nothing goes out twice by SMS (nor the prompt of a pending
appointment that moved, which went out inside the move's notice), the e-mail is skipped
with the issue's reason, no notice is invented, the reply, which the first inbound scan
finds again, is set aside as answered (not answered again, nor acted on), and a
reminder still ahead goes out when it is due. Without SMS a worker parent that never
led the clockwork notices the loss, and no e-mail goes twice.
"""

from __future__ import annotations

import socket
from collections import Counter
from collections.abc import Callable
from datetime import timedelta

import pytest

from bridge.booking import CancelMode, Label
from bridge.domain.messages import MessageKind
from bridge.outbound.sms import SmsSender
from bridge.sending.recovery import END_CHECK_SECONDS
from bridge.store.claims import ORPHAN_SECONDS
from bridge.store.epoch import EPOCH, Epochs
from bridge.sync.after_loss import UNSEEN_BOUND, SyncHeldBack
from sandbox.twilio import DEMO_NUMBER
from tests.flow.conftest import TWILIO_SID, TWILIO_TOKEN, Flow
from tests.flow.test_moved_pending import move
from tests.flow.test_replies import reply
from tests.flow.test_sending import booked
from workers import replies, runtime, sync
from workers.process import build_ticker
from workers.runtime import Runtime

MakeFlow = Callable[..., Flow]
MEMORY_LOST = "memory lost; may have been sent"


def watched(flow: Flow) -> Flow:
    """The worker process's ticker reads the epoch each tick (`Recovery.watch`)."""
    recovery = getattr(flow.rt.sending, "recovery", None)
    if recovery is not None:
        flow.ticker.watch = recovery.watch
    return flow


def step(flow: Flow) -> None:
    flow.ticker.tick()
    flow.run_jobs()
    assert flow.twilio.wait_idle(10)


def sms_out(flow: Flow) -> list[tuple[str, str]]:
    return [(str(m["to"]), str(m["body"])) for m in flow.twilio.messages("outbound-api")]


def mails_out(flow: Flow) -> list[tuple[str, str]]:
    return [(str(m["to"]), str(m["subject"])) for m in flow.mail.messages()]


def forget(flow: Flow) -> None:
    """Redis loses its data, as after a restart without persistence (the suite's
    database: this file is declared as emptying it, `tests/support/redis_dbs.py`)."""
    flow.redis.flushdb()


def twice(sent: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [item for item, count in Counter(sent).items() if count > 1]


def delivered_before_the_loss(flow: Flow) -> tuple[int, int, str]:
    """A prompt and a reminder by SMS, a prompt by e-mail, a reply answered two minutes
    before the loss (within the window the first inbound scan after it reads again), a
    pending appointment moved (its notice asks to confirm); an appointment further ahead
    whose reminder is not yet due. Returns (near, far, the reply's sid)."""
    watched(flow)
    step(flow)
    near = booked(flow, days=2, mobile_phone="06-41000001")
    booked(flow, days=2, index=1, mobile_phone="", email="alleen.mail@example.nl")
    far = booked(flow, days=6, index=2, mobile_phone="06-41000003")
    moved = booked(flow, days=5, index=3, mobile_phone="06-41000004")
    flow.poll()
    step(flow)
    move(flow, moved, timedelta(days=1))  # pending: one notice that asks to confirm
    flow.poll()
    step(flow)
    assert len([to for to, _ in sms_out(flow) if to == "+31641000004"]) == 2
    reminder = next(m for m in flow.planned_for(near) if m.kind is MessageKind.REMINDER)
    flow.clock.set(reminder.send_at + timedelta(seconds=1))
    step(flow)
    answer = flow.twilio.inbound("+31641000001", "ZZ9ZZ9")  # a wrong code: answered
    assert answer["webhook"] and answer["webhook"]["status"] == 200
    flow.run_jobs()
    assert flow.twilio.wait_idle(10)
    assert flow.mail.wait_for_messages(1)
    flow.clock.advance(timedelta(minutes=2))  # the reply is within a first inbound scan
    step(flow)
    return near, far, str(answer["message"]["sid"])


@pytest.mark.parametrize("restarted", [False, True], ids=["running-on", "restarted"])
def test_an_emptied_redis_sends_no_sms_twice_and_skips_the_emails(
        make_flow: MakeFlow, restarted: bool) -> None:
    flow = make_flow()
    near, far, reply = delivered_before_the_loss(flow)
    sms_before, mails_before = sms_out(flow), mails_out(flow)
    assert ("+31641000001", sms_before[0][1]) in sms_before and len(mails_before) >= 1
    assert any(to == "+31641000003" for to, _ in sms_before)  # the far one's prompt

    flow.redis.flushdb()
    if restarted:  # every process with the Redis: only Twilio can say what was sent
        flow.restart()
    watched(flow)
    flow.poll()  # notices the loss, reads the whole window again, plans again
    step(flow)
    replies.reconcile_inbound()
    flow.run_jobs()
    assert flow.twilio.wait_idle(10)
    # The SMS to look up wait until any attempt from before the loss has surely ended.
    assert Epochs(flow.redis).counts().get("found_sent", 0) == 0
    flow.clock.advance(timedelta(seconds=ORPHAN_SECONDS + 1))
    step(flow)

    assert sms_out(flow) == sms_before  # not one SMS again, answers to replies included
    assert mails_out(flow) == mails_before
    reasons = [s["reason"] for s in flow.skipped()]
    assert MEMORY_LOST in reasons
    epoch = Epochs(flow.redis).read()
    assert epoch is not None and epoch.lost_at is not None
    counts = Epochs(flow.redis).counts()
    assert counts["memory_lost"] == 1 and counts["found_sent"] >= 3
    assert counts["email_skipped"] >= 1
    found_again = flow.rt.inbound.get(reply)  # recorded again by the inbound scan
    assert found_again is not None
    assert found_again.state == "ignored:memory lost; may have been answered"
    assert counts["reply_skipped"] == 1 and flow.failed_jobs() == []
    found = [r for r in flow.sent() if r.appointment_id == near]
    assert sorted(r.kind for r in found) == ["confirm_request", "reminder"]
    assert {kind for kind, _ in flow.events()} == {"created"}  # no notice invented

    reminder = next(m for m in flow.planned_for(far) if m.kind is MessageKind.REMINDER)
    flow.clock.set(reminder.send_at + timedelta(seconds=1))
    step(flow)
    new = [sms for sms in sms_out(flow) if sms not in sms_before]
    assert [to for to, _ in new] == ["+31641000003"] and "Herinnering" in new[0][1]
    assert twice(sms_out(flow)) == []
    flow.clock.advance(timedelta(seconds=END_CHECK_SECONDS))  # the ticker looks again
    step(flow)  # every agenda read since the loss, nothing due: the recovery ends
    ended = Epochs(flow.redis).read()
    assert ended is not None and not ended.recovering and ended.lost_at == epoch.lost_at


def test_a_first_start_is_no_loss(flow: Flow) -> None:
    """Twilio's log is empty: a fresh epoch, no recovery, the prompt sent as usual."""
    watched(flow)
    assert flow.redis.get(EPOCH) is None
    step(flow)
    epoch = Epochs(flow.redis).read()
    assert epoch is not None and epoch.lost_at is None and not epoch.recovering
    booked(flow, mobile_phone="06-41000009")
    flow.poll()
    step(flow)
    assert any(to == "+31641000009" for to, _ in sms_out(flow))
    assert Epochs(flow.redis).counts().get("memory_lost", 0) == 0
    assert Epochs(flow.redis).read() == epoch


def test_without_sms_a_worker_that_never_led_notices_and_no_email_goes_twice(
        make_flow: MakeFlow) -> None:
    """E-mail only: nobody to ask, so only a process that saw the epoch can tell a loss.
    Two worker parents tick (one leads), and the jobs run in a process of their own
    that never read the epoch (as a send job's forked process). After FLUSHDB the parent
    that never led reads the epoch's absence first, takes the lease, and decides the
    loss; the prompt's e-mail is skipped, not sent again."""
    flow = make_flow(OABRIDGE_TWILIO_ACCOUNT_SID="", OABRIDGE_TWILIO_FROM="")
    assert flow.rt.sms is None
    watched(flow)
    flow.clock.advance(UNSEEN_BOUND + timedelta(minutes=1))  # the sandbox's cancellation
    other_rt = Runtime.from_settings(flow.settings, clock=flow.clock)
    flow.cleanup.callback(other_rt.close)
    other = build_ticker(other_rt)
    flow.cleanup.callback(other.release_lease)
    jobs = Runtime.from_settings(flow.settings, clock=flow.clock)  # never reads the epoch
    flow.cleanup.callback(jobs.close)
    assert flow.ticker.tick()["leader"] is True
    assert other.tick()["leader"] is False
    runtime.install(jobs)
    booked(flow, days=2, mobile_phone="", email="alleen.mail@example.nl")
    flow.poll()
    flow.ticker.tick()  # dispatches the prompt
    other.tick()
    flow.run_jobs()
    assert flow.mail.wait_for_messages(1)
    mails_before = mails_out(flow)
    assert "alleen.mail@example.nl" in [to for to, _ in mails_before]

    flow.redis.flushdb()  # the lease went too: whichever parent ticks first leads
    assert other.tick()["leader"] is True
    epoch = Epochs(flow.redis).read()
    assert epoch is not None and epoch.lost_at is not None and epoch.recovering
    flow.ticker.release_lease()  # the old leader stood down meanwhile
    flow.poll()  # the old leader's ticks read the epoch too: it polls, plans again
    flow.ticker.tick()
    other.tick()
    flow.run_jobs()
    assert mails_out(flow) == mails_before
    assert MEMORY_LOST in [s["reason"] for s in flow.skipped()]
    counts = Epochs(flow.redis).counts()
    assert counts["memory_lost"] == 1 and counts["email_skipped"] == len(mails_before)


def unreachable_twilio(flow: Flow) -> SmsSender:
    """A Twilio client pointed at a port nobody listens on: its log cannot be read."""
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    return SmsSender(TWILIO_SID, TWILIO_TOKEN, sender=DEMO_NUMBER,
                     base_url=f"http://127.0.0.1:{port}")


@pytest.mark.parametrize("twilio_readable", [True, False], ids=["found", "log-unreadable"])
def test_a_prompt_skipped_as_confirmed_after_the_loss_reopens_its_conversation(
        make_flow: MakeFlow, twilio_readable: bool) -> None:
    """The soak's case: a pending appointment's prompt went out (its conversation opened),
    then Redis forgot. The poll after the loss plans the prompt again; before its send
    job runs, the practice confirms the appointment, so the job skips it
    (`already_confirmed`). The customer may still answer the prompt they had: the job
    finds it in Twilio's log and remembers the conversation again (nothing is sent), so
    a NEE cancels (DryRun first) as before the loss. Twilio's log unreadable: the skip is
    recorded all the same, the conversation stays lost, and the NEE gets the safe "no
    appointment" answer, changing nothing."""
    flow = make_flow()
    watched(flow)
    step(flow)
    appointment = booked(flow, days=2, mobile_phone="06-41000021")
    flow.poll()
    step(flow)
    sms_before = sms_out(flow)
    assert [to for to, _ in sms_before].count("+31641000021") == 1  # the prompt
    code = str(next(m["code"] for m in flow.booking.outbox()
                    if m["appointment_id"] == appointment))

    flow.redis.flushdb()
    watched(flow)
    flow.poll()  # notices the loss, reads the window again, plans the prompt again
    assert any(m.kind is MessageKind.CONFIRM_REQUEST for m in flow.planned_for(appointment))
    assert flow.api.confirm_appointment(appointment, code)  # the practice, meanwhile
    if not twilio_readable:
        flow.rt.sending.recovery.sms = unreachable_twilio(flow)
        flow.rt.sending.recovery.pause = lambda _seconds: None  # asked again at once
    step(flow)  # the prompt's job: already confirmed, skipped (and looked up)
    assert "already_confirmed" in [s["reason"] for s in flow.skipped()
                                   if s["appointment"] == str(appointment)]
    assert sms_out(flow) == sms_before  # nothing sent
    asked = flow.rt.sending.conversations.asked_about("+31641000021")
    assert asked == ([appointment] if twilio_readable else [])
    flow.rt.sending.recovery.sms = flow.rt.sms

    result = flow.twilio.inbound("+31641000021", "NEE")
    assert result["webhook"] and result["webhook"]["status"] == 200
    flow.run_jobs()
    assert flow.twilio.wait_idle(10)
    answers = [r.kind for r in flow.rt.messages.recent(200)
               if r.recipient == "+31641000021" and r.kind.startswith("reply_")]
    label = flow.api.get_appointment(appointment).label
    if twilio_readable:
        assert answers == ["reply_cancelled"] and label is Label.CANCELLED
    else:
        assert answers == ["reply_no_appointment"] and label is Label.APPROVED
    assert twice(sms_out(flow)) == [] and flow.failed_jobs() == []


def test_a_cancellation_between_the_loss_and_the_read_is_announced_once(
        make_flow: MakeFlow) -> None:
    """With the old states gone, a cancellation made after Redis forgot and before the
    first read is no change to diff: the read announces a cancelled appointment it sees
    for the first time, once. One cancelled and announced before the loss is found in
    Twilio's log and not announced again; its e-mail is skipped as memory lost."""
    flow = make_flow(OABRIDGE_CHANNELS="cancelled:both")
    watched(flow)
    step(flow)
    # The sandbox's own appointments, one cancelled before the bridge ever saw it, were
    # changed longer than UNSEEN_BOUND before the loss: not announced after it.
    flow.clock.advance(UNSEEN_BOUND + timedelta(minutes=1))
    before = booked(flow, days=2, mobile_phone="06-41000031", email="voor@example.nl")
    after = booked(flow, days=3, index=1, mobile_phone="06-41000032")
    flow.poll()
    step(flow)
    flow.api.cancel_appointment(before, mode=CancelMode.COMPANY)
    flow.poll()
    step(flow)
    assert flow.mail.wait_for_messages(1)  # the notice's e-mail
    sms_before, mails_before = sms_out(flow), mails_out(flow)
    assert [to for to, _ in sms_before].count("+31641000031") == 2  # prompt, notice

    flow.redis.flushdb()
    flow.clock.advance(timedelta(seconds=30))
    flow.api.cancel_appointment(after, mode=CancelMode.COMPANY)  # unseen by the bridge
    watched(flow)
    flow.poll()  # notices the loss; reads both cancelled appointments for the first time
    step(flow)
    flow.clock.advance(timedelta(seconds=ORPHAN_SECONDS + 1))
    step(flow)

    new = [(to, body) for to, body in sms_out(flow) if (to, body) not in sms_before]
    assert [to for to, _ in new] == ["+31641000032"]  # the unseen cancellation, once
    assert mails_out(flow) == mails_before
    reasons = {(s["appointment"], s["kind"], s["reason"]) for s in flow.skipped()}
    assert (str(before), "cancelled", MEMORY_LOST) in reasons
    flow.poll()
    step(flow)
    assert sorted(sms_out(flow)) == sorted(sms_before + new)  # nothing again on a re-read


def test_a_notice_emailed_while_opted_out_goes_not_by_sms_after_the_loss(
        make_flow: MakeFlow) -> None:
    """Seen in the full soak: a customer sent STOP, a cancellation went by e-mail (the
    default `sms_or_email`), the customer sent START, Redis forgot. The cancellation,
    read again as unseen, was not in Twilio's log and went by SMS too. What the number
    texted (Twilio lists it) shows it was opted out when the notice was due: its SMS
    is skipped as memory lost. A cancellation the bridge never read before the loss,
    to a number that never opted out, goes by SMS."""
    flow = make_flow()
    watched(flow)
    step(flow)
    flow.clock.advance(UNSEEN_BOUND + timedelta(minutes=1))
    emailed = booked(flow, days=2, mobile_phone="06-41000041", email="stop@example.nl")
    unread = booked(flow, days=3, index=1, mobile_phone="06-41000042",
                    email="nooit@example.nl")
    flow.poll()
    step(flow)
    reply(flow, "+31641000041", "STOP")
    flow.clock.advance(timedelta(seconds=20))
    flow.api.cancel_appointment(emailed, mode=CancelMode.COMPANY)
    flow.poll()
    step(flow)
    notice = mails_out(flow)[-1]  # by e-mail, the number being opted out
    assert notice[0] == "stop@example.nl" and "geannuleerd" in notice[1]
    flow.clock.advance(timedelta(seconds=20))
    reply(flow, "+31641000041", "START")
    flow.clock.advance(timedelta(seconds=20))
    flow.api.cancel_appointment(unread, mode=CancelMode.COMPANY)  # not read before the loss
    sms_before, mails_before = sms_out(flow), mails_out(flow)

    flow.redis.flushdb()
    flow.clock.advance(timedelta(seconds=30))
    watched(flow)
    flow.poll()  # notices the loss; both cancellations seen for the first time
    step(flow)
    flow.clock.advance(timedelta(seconds=ORPHAN_SECONDS + 1))
    step(flow)

    new = [(to, body) for to, body in sms_out(flow) if (to, body) not in sms_before]
    assert [to for to, _ in new] == ["+31641000042"]  # the unread one's notice, once
    assert mails_out(flow) == mails_before
    skips = {(s["appointment"], s["kind"], s["channel"], s["reason"]) for s in flow.skipped()}
    assert (str(emailed), "cancelled", "sms", MEMORY_LOST) in skips
    assert Epochs(flow.redis).counts().get("sms_skipped") == 1
    assert twice(sms_out(flow)) == [] and flow.failed_jobs() == []


def test_a_read_before_the_epoch_is_written_waits(make_flow: MakeFlow) -> None:
    """Seen in the full soak: the epoch took 13 s to be written after the loss, and a
    full read made meanwhile recorded cancellations as first sights, outside the
    recovery's rule, so they were never announced. A read finds no epoch: it holds back
    (its job retried) and records nothing; once a ticker has decided, the read
    announces the cancellation the bridge never saw."""
    flow = make_flow()
    watched(flow)
    step(flow)
    flow.clock.advance(UNSEEN_BOUND + timedelta(minutes=1))
    appointment = booked(flow, days=2, mobile_phone="06-41000051")
    flow.poll()
    step(flow)
    agenda = flow.rt.plans.snapshot(appointment).agenda_id  # type: ignore[union-attr]
    sms_before = sms_out(flow)

    flow.redis.flushdb()
    flow.clock.advance(timedelta(seconds=30))
    flow.api.cancel_appointment(appointment, mode=CancelMode.COMPANY)
    with pytest.raises(SyncHeldBack):  # a change notice's job, before any ticker decided
        sync.sync_appointment(agenda, appointment)
    assert flow.rt.plans.snapshot(appointment) is None and flow.redis.get(EPOCH) is None

    flow.poll()  # the ticker decides: a loss; the read announces the cancellation
    step(flow)
    flow.clock.advance(timedelta(seconds=ORPHAN_SECONDS + 1))
    step(flow)
    new = [(to, body) for to, body in sms_out(flow) if (to, body) not in sms_before]
    assert [to for to, _ in new] == ["+31641000051"] and "geannuleerd" in new[0][1]


def test_a_yes_that_opted_in_before_the_loss_is_not_taken_for_a_confirmation(
        make_flow: MakeFlow) -> None:
    """Seen in the full soak: STOP, then YES (from an opted-out number an opt-in, as at
    Twilio), then the loss took the opt-out. The inbound scan found the YES again and,
    the number no longer known as opted out, took it for a confirmation: "no
    appointment". What the number texted before it (Twilio lists it) says it was an
    opt-in: handled as one, unanswered."""
    flow = make_flow()
    watched(flow)
    step(flow)
    booked(flow, days=2, mobile_phone="06-41000071")
    flow.poll()
    step(flow)
    reply(flow, "+31641000071", "STOP")
    flow.clock.advance(timedelta(seconds=20))
    yes = reply(flow, "+31641000071", "YES")
    assert not flow.rt.optouts.is_opted_out("+31641000071")
    sms_before = sms_out(flow)
    flow.clock.advance(timedelta(seconds=5))

    flow.redis.flushdb()
    watched(flow)
    flow.poll()
    step(flow)
    replies.reconcile_inbound()  # finds the STOP and the YES again
    flow.run_jobs()
    flow.clock.advance(timedelta(seconds=ORPHAN_SECONDS + 1))
    step(flow)
    again = flow.rt.inbound.get(yes)
    assert again is not None  # found again, and handled
    new = [body for to, body in sms_out(flow)
           if to == "+31641000071" and (to, body) not in sms_before]
    assert new == []  # no "no appointment" answer
    assert flow.failed_jobs() == []
