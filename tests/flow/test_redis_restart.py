"""Redis SIGKILLed and started again on its append-only file: nothing sent twice, and
nothing it had written to its file lost.

The primary runs as production's should (`appendonly yes`, `appendfsync everysec`). A
kill loses at most the last second that was not yet fsynced; this test kills it once
the file holds everything (`BGREWRITEAOF` finished, a rewrite is fsynced), which is the
state a second after the last write. What the bridge must then do: carry on over its
old connections once the server is back, send nothing again that it sent before the
kill (polls and a reconciliation included), and send what became due after it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from redis import Redis

from bridge.domain.messages import MessageKind
from bridge.store.connection import connect
from tests.contract.helpers import book, bookable_slot, new_customer
from tests.flow.conftest import Flow
from tests.flow.test_redis_failover import sms_at_twilio
from tests.support.redis_topology import RedisNode, poll_until
from workers import sync

MakeFlow = Callable[..., Flow]


@pytest.fixture
def primary() -> Iterator[RedisNode]:
    node = RedisNode.primary()  # AOF everysec, a folder of its own
    yield node
    node.stop()


def on(make_flow: MakeFlow, node: RedisNode, **extra: str) -> Flow:
    """A flow whose bridge and jobs use `node`, not the suite's Redis."""
    flow = make_flow(OABRIDGE_REDIS_URL=node.url(0), **extra)
    flow.redis = connect(flow.settings.redis_target)
    flow.cleanup.callback(flow.redis.close)
    return flow


def on_disk(redis: Redis) -> None:
    """Return once the AOF holds every write so far (a rewrite is fsynced when done)."""
    redis.bgrewriteaof()

    def rewritten() -> bool:
        persistence = redis.info("persistence")
        return not (persistence["aof_rewrite_in_progress"]
                    or persistence["aof_rewrite_scheduled"])

    poll_until(rewritten, "the append-only file to be rewritten", 30)


def lasting_keys(redis: Redis) -> set[bytes]:
    """Every key that does not expire within a minute (leases and locks may)."""
    return {key for key in redis.scan_iter(count=1000)
            if (ttl := redis.ttl(key)) == -1 or ttl > 60}


def test_a_redis_killed_and_restarted_on_its_aof_sends_nothing_twice(
        make_flow: MakeFlow, primary: RedisNode) -> None:
    flow = on(make_flow, primary)
    flow.booking.requires_confirmation = False
    flow.ticker.tick()
    flow.run_jobs()
    day = flow.clock.now().date() + timedelta(days=2)
    early = [book(flow.api, bookable_slot(flow.api, day, index=i), new_customer(flow.api))
             for i in range(3)]
    flow.poll()
    reminders = [m for a in early for m in flow.planned_for(a) if m.kind is MessageKind.REMINDER]
    flow.clock.set(max(m.send_at for m in reminders) + timedelta(minutes=1))
    flow.ticker.tick()
    flow.run_jobs()
    assert flow.twilio.wait_idle(10)
    before = sms_at_twilio(flow)
    assert {m.key for m in reminders} <= set(flow.sent_keys())  # the demo's own go too
    # One more appointment, planned before the kill and due after it.
    later_slot = bookable_slot(flow.api, flow.clock.now().date() + timedelta(days=3))
    late = book(flow.api, later_slot, new_customer(flow.api))
    flow.poll()
    late_reminder = next(m for m in flow.planned_for(late) if m.kind is MessageKind.REMINDER)

    on_disk(flow.redis)
    kept = lasting_keys(flow.redis)
    primary.kill()
    primary.restart()  # the same port and folder: its AOF is read back
    assert kept <= lasting_keys(flow.redis)  # nothing acknowledged lost

    flow.poll()  # over the connections opened before the kill
    sync.reconcile_agenda(sync.ALL_AGENDAS)
    flow.run_jobs()
    flow.ticker.tick()
    flow.run_jobs()
    assert flow.twilio.wait_idle(10)
    assert sms_at_twilio(flow) == before  # nothing sent twice
    flow.clock.set(late_reminder.send_at + timedelta(minutes=1))
    flow.ticker.tick()
    flow.run_jobs()
    assert flow.twilio.wait_idle(10)
    after = sms_at_twilio(flow)
    assert len(after) > len(before)
    assert all(count == 1 for count in after.values()), after
    assert flow.sent_keys().count(late_reminder.key) == 1  # nothing planned was lost
    assert flow.failed_jobs() == []
