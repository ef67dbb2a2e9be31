"""Redis forgets (#16): the bridge notices, and asks Twilio before it repeats.

The issue's reproduction: messages delivered, then the database emptied (as after a
restart without persistence), and within a minute every prompt and reminder went out
again. Here: prompts and a reminder delivered by SMS, a prompt by e-mail, a reply
answered; FLUSHDB; the bridge polls again (its processes running on, or restarted with
the Redis). Nothing goes out twice by SMS (nor the prompt of a pending appointment that
moved, which went out inside the move's notice), the e-mail is skipped with the issue's
reason, no notice is invented, the old reply is not answered again, and a reminder
still ahead goes out when it is due.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import timedelta

import pytest

from bridge.domain.messages import MessageKind
from bridge.sending.recovery import END_CHECK_SECONDS
from bridge.store.epoch import EPOCH, Epochs
from tests.flow.conftest import Flow
from tests.flow.test_moved_pending import move
from tests.flow.test_sending import booked
from workers import replies

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


def twice(sent: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [item for item, count in Counter(sent).items() if count > 1]


def delivered_before_the_loss(flow: Flow) -> tuple[int, int]:
    """A prompt and a reminder by SMS, a prompt by e-mail, a reply answered, a pending
    appointment moved (its notice asks to confirm); an appointment further ahead whose
    reminder is not yet due. Returns (near, far)."""
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
    flow.clock.advance(timedelta(hours=1))  # the reply is older than a first inbound scan
    step(flow)
    return near, far


@pytest.mark.parametrize("restarted", [False, True], ids=["running-on", "restarted"])
def test_an_emptied_redis_sends_no_sms_twice_and_skips_the_emails(
        make_flow: MakeFlow, restarted: bool) -> None:
    flow = make_flow()
    near, far = delivered_before_the_loss(flow)
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

    assert sms_out(flow) == sms_before  # not one SMS again, answers to replies included
    assert mails_out(flow) == mails_before
    reasons = [s["reason"] for s in flow.skipped()]
    assert MEMORY_LOST in reasons
    epoch = Epochs(flow.redis).read()
    assert epoch is not None and epoch.lost_at is not None
    counts = Epochs(flow.redis).counts()
    assert counts["memory_lost"] == 1 and counts["found_sent"] >= 3
    assert counts["email_skipped"] >= 1
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
