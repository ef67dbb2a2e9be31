"""A hold is not a failure: with `OABRIDGE_REDIS_MIN_REPLICAS=1` and no replica for
longer than a send job's retries (`bridge.queueing.jobs`, about 15 minutes), no job ends
in RQ's failed registry and no retry waits in RQ: the message waits in the plan, due
again after a pause (`bridge.sending.holds`), and once a replica acknowledges it is sent
once.

Real servers: a primary without a replica (`tests.support.redis_topology`), RQ's worker,
the Twilio sandbox. Time is the flow's manual clock: the plan and the ticker read it, so
an hour of holding takes a few ticks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from rq.registry import ScheduledJobRegistry

from bridge.domain.messages import MessageKind
from bridge.queueing.jobs import JOBS, QueueName
from bridge.sending.holds import LONGEST_PAUSE
from bridge.store import keys
from tests.contract.helpers import book, bookable_slot, new_customer
from tests.flow.conftest import Flow
from tests.flow.test_redis_failover import on, sms_at_twilio
from tests.support.redis_topology import RedisNode, poll_until

MakeFlow = Callable[..., Flow]

#: Longer than every retry of a single message's job, and than a batch's.
RETRY_BUDGET = timedelta(seconds=sum(JOBS["deliver_message"].retry_intervals))


@pytest.fixture
def alone() -> Iterator[RedisNode]:
    """A primary nobody replicates yet."""
    primary = RedisNode.primary(aof=False)
    yield primary
    primary.stop()


def held_rounds(flow: Flow, key: str, until_after: timedelta) -> int:
    """Tick and run jobs, a longest pause apart, for `until_after`; nothing may be sent,
    failed or left to RQ's retries, and the message stays on the schedule."""
    end = flow.clock.now() + until_after
    rounds = 0
    retries = ScheduledJobRegistry(queue=flow.rt.writer.queue(QueueName.SEND))  # type: ignore[no-untyped-call]
    while flow.clock.now() < end:
        flow.ticker.tick()
        flow.run_jobs()
        assert flow.twilio.wait_idle(10)
        assert key not in flow.sent_keys()
        assert flow.failed_jobs() == []
        assert retries.get_job_ids() == []  # the job completed; the plan holds the message
        assert flow.redis.zscore(keys.SCHEDULE, key) is not None
        flow.clock.advance(LONGEST_PAUSE)
        rounds += 1
    return rounds


def test_a_hold_longer_than_the_retries_fails_nothing_and_sends_once(
        make_flow: MakeFlow, alone: RedisNode) -> None:
    flow = on(make_flow, alone.url(0), OABRIDGE_REDIS_REPLICA_TIMEOUT_MS="20")
    flow.ticker.tick()
    flow.run_jobs()
    appointment = book(flow.api, bookable_slot(
        flow.api, flow.clock.now().date() + timedelta(days=2)), new_customer(flow.api))
    flow.poll()
    reminder = next(m for m in flow.planned_for(appointment) if m.kind is MessageKind.REMINDER)
    before = sms_at_twilio(flow)
    flow.clock.set(reminder.send_at + timedelta(seconds=1))

    rounds = held_rounds(flow, reminder.key, RETRY_BUDGET + timedelta(minutes=10))
    assert rounds >= 5  # dispatched again and again, each a completed job
    # The message's own job (a retry after a 429, say) holds the same way: it completes.
    flow.rt.sending.retry_later(reminder.key)
    held_rounds(flow, reminder.key, LONGEST_PAUSE)

    record = flow.rt.messages.get(f"{reminder.key}:sms")
    assert record is not None and record.status == "claimed"
    holds = [e for e in record.timeline if e["status"] == "retrying"
             and "held back (claim not replicated (0 of 1))" in str(e.get("detail"))]
    assert len(holds) >= rounds

    replica = RedisNode.replica(alone)  # a replica at last: the claim is acknowledged
    try:
        poll_until(replica.link_up, "the replica's link", 15)
        # Its next dispatch sends it (on a loaded machine an acknowledgement slower than
        # the 20 ms bound holds it once more: a later round sends it); later ticks find
        # it done.
        rounds_after = 0
        while rounds_after < 3 or (reminder.key not in flow.sent_keys() and rounds_after < 20):
            flow.clock.advance(LONGEST_PAUSE)
            flow.ticker.tick()
            flow.run_jobs()
            assert flow.twilio.wait_idle(10)
            rounds_after += 1
    finally:
        replica.stop()
    assert flow.sent_keys().count(reminder.key) == 1
    after = sms_at_twilio(flow)  # the held messages of the demo's other appointments too
    assert len(after) > len(before) and all(count == 1 for count in after.values()), after
    assert flow.redis.zscore(keys.SCHEDULE, reminder.key) is None
    assert flow.failed_jobs() == []
