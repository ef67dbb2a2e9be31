"""A customer's NEE cancelled upstream, then Redis forgot before its answer went out:
after the loss the customer is told once, by the reply's answer, not also by a
cancellation notice (#16).

Seen in the suite's short soak: a NEE cancelled 32 s before an amnesia, its answer not
yet sent. After the loss the read saw the appointment cancelled for the first time and
announced it (an unseen cancellation), and the reply, found again by the inbound scan,
was answered too. The mark that keeps the notice from telling a customer's own
cancellation twice was in the lost memory; Twilio's log still holds the NEE
(`bridge.sending.own_cancellation`).

Real Redis, real burst workers, the booking and Twilio sandboxes (Twilio made to fail
while the answer is due, so the reply job's retry is what the loss takes)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from bridge.booking import CancelMode, Label
from bridge.sending.own_cancellation import CANCELLED_BY_REPLY
from bridge.store.claims import ORPHAN_SECONDS
from tests.flow.conftest import Flow
from tests.flow.test_redis_amnesia import forget, sms_out, step, watched
from tests.flow.test_replies import prompted, reply
from workers import replies

MakeFlow = Callable[..., Flow]


def nee_cancelled_and_unanswered(flow: Flow, number: str, e164: str) -> int:
    """A prompted customer texts NEE; the reply job cancels upstream, and its answer
    fails (Twilio down), so the job waits for its retry. Returns the appointment."""
    appointment = prompted(flow, number)
    before = sms_out(flow)
    flow.twilio.fault_rates.update_from_json({"error_rate": 1.0, "seed": 1})
    reply(flow, e164, "NEE")
    flow.twilio.fault_rates.update_from_json({"error_rate": 0.0, "seed": 1})
    assert flow.api.get_appointment(appointment).label is Label.CANCELLED
    assert sms_out(flow) == before  # not yet answered
    return appointment


def after_the_loss(flow: Flow) -> None:
    """Redis forgets; the bridge notices, reads the cancelled appointment for the first
    time, scans Twilio's inbound log again, and sends what that calls for."""
    forget(flow)
    watched(flow)
    flow.poll()
    step(flow)
    flow.clock.advance(timedelta(seconds=ORPHAN_SECONDS + 1))
    scan = replies.reconcile_inbound()  # the ticker's periodic scan, run now
    assert scan["answered_before_loss"] == 0
    flow.poll()
    step(flow)


def test_a_cancel_by_reply_unanswered_at_the_loss_is_told_once(make_flow: MakeFlow) -> None:
    flow = watched(make_flow())
    step(flow)
    appointment = nee_cancelled_and_unanswered(flow, "06-21000051", "+31621000051")
    before = sms_out(flow)

    after_the_loss(flow)

    new = [body for to, body in sms_out(flow) if to == "+31621000051"
           and (to, body) not in before]
    assert len(new) == 1  # the NEE's answer, and no cancellation notice
    reasons = {(s["appointment"], s["kind"], s["reason"]) for s in flow.skipped()}
    assert (str(appointment), "cancelled", CANCELLED_BY_REPLY) in reasons
    assert flow.failed_jobs() == []


def test_a_cancellation_by_the_practice_after_the_loss_is_still_announced(
        make_flow: MakeFlow) -> None:
    """The rule looks for the customer's own cancel word: the practice cancelling with no
    such text from the number is announced as before."""
    flow = watched(make_flow())
    step(flow)
    appointment = prompted(flow, "06-21000052")
    reply(flow, "+31621000052", "ZZ9ZZ9")  # a text, but not a cancel word
    flow.api.cancel_appointment(appointment, mode=CancelMode.COMPANY)
    before = sms_out(flow)

    after_the_loss(flow)

    kinds = [r.kind for r in flow.rt.messages.recent(50) if r.appointment_id == appointment]
    assert "cancelled" in kinds
    new = [to for to, body in sms_out(flow) if (to, body) not in before]
    assert new.count("+31621000052") == 1  # the notice
    assert flow.failed_jobs() == []
