"""A worker killed mid-send, its job run again at once (#16, seen in the soak).

The ticker hands a dead worker's job back to RQ within seconds (`bridge.queueing.
abandoned`), long before the dead attempt's claim turns stale. That retry used to find
the claim in flight and drop the message as a duplicate: never sent, or sent by the dead
worker and never linked. Now it is held back and planned again; once the claim is
stale, Twilio is asked, and the message goes out once (or is found there).
"""

from __future__ import annotations

from datetime import timedelta

from bridge.domain.messages import MessageKind
from bridge.store.claims import STALE_SECONDS
from tests.flow.conftest import Flow
from tests.flow.test_sending import booked, claim_for, to
from workers.deliver import deliver_batch


def test_a_retry_that_finds_the_dead_attempts_claim_holds_the_message_back(
        flow: Flow) -> None:
    flow.ticker.tick()
    flow.run_jobs()
    appointment = booked(flow, mobile_phone="06-15151515")
    flow.clock.advance(timedelta(seconds=60))
    flow.ticker.tick()  # polls: the prompt is planned and due
    flow.run_jobs()
    message_id, message_keys = claim_for(flow, appointment)
    assert to(flow, "+31615151515") == []
    flow.rt.claims.claim(message_id, flow.clock.now())  # a worker claims it and dies
    flow.clock.advance(timedelta(seconds=5))
    assert deliver_batch(message_keys)["held"] == 1  # RQ runs the job again at once
    flow.ticker.tick()  # or the ticker dispatches it (off the schedule) and a job runs
    flow.run_jobs()
    assert to(flow, "+31615151515") == []
    again = [m for m in flow.planned_for(appointment) if m.kind is MessageKind.CONFIRM_REQUEST]
    assert again  # on the schedule again, not dropped

    flow.clock.advance(timedelta(seconds=STALE_SECONDS + 1))
    flow.ticker.tick()  # dispatched again: the claim is stale, Twilio has nothing
    flow.run_jobs()
    assert flow.twilio.wait_idle(10)
    assert len(to(flow, "+31615151515")) == 1
    record = flow.rt.messages.get(message_id)
    assert record is not None and record.provider_id and record.status != "claimed"
    flow.clock.advance(timedelta(minutes=10))
    flow.ticker.tick()
    flow.run_jobs()
    assert len(to(flow, "+31615151515")) == 1 and flow.failed_jobs() == []
