"""Failover under Sentinel with `OABRIDGE_REDIS_MIN_REPLICAS=1`: a claim counts once a
replica has it, so a promoted replica knows every claim the provider was called on, and
nothing is sent twice; a claim or a notice no replica acknowledged holds the send back
(released, retried) or is answered 503 (delivered again), and nothing is lost.

Real servers (`tests.support.redis_topology`): a primary with its append-only file, one
replica, three Sentinels. A replica that stops acknowledging is a stopped process
(SIGSTOP), as a stalled or partitioned replica looks to its primary.
"""

from __future__ import annotations

import json
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from rq.registry import ScheduledJobRegistry
from standardwebhooks import Webhook

from bridge.domain.messages import MessageKind
from bridge.http.app import create_app
from bridge.queueing.jobs import QueueName
from bridge.sending.holds import LONGEST_PAUSE
from bridge.store import keys
from bridge.store.connection import connect
from tests.contract.helpers import book, bookable_slot, new_customer
from tests.flow.conftest import Flow
from tests.support.asgi_server import serve
from tests.support.redis_topology import FailoverTopology, RedisNode, poll_until

MakeFlow = Callable[..., Flow]
SECRET = "whsec_" + "c2VjcmV0LWZvci13ZWJob29rLWZsb3ctdGVzdHMh"


@pytest.fixture
def topology() -> Iterator[FailoverTopology]:
    with FailoverTopology.start("oabridge") as started:
        yield started


@pytest.fixture
def pair() -> Iterator[tuple[RedisNode, RedisNode]]:
    primary = RedisNode.primary()
    replica = RedisNode.replica(primary)
    yield primary, replica
    replica.stop()
    primary.stop()


def on(make_flow: MakeFlow, url: str, **extra: str) -> Flow:
    """A flow whose bridge, ingress and jobs use this Redis, not the suite's."""
    flow = make_flow(OABRIDGE_REDIS_URL=url, OABRIDGE_REDIS_MIN_REPLICAS="1", **extra)
    flow.redis = connect(flow.settings.redis_target)
    flow.cleanup.callback(flow.redis.close)
    flow.booking.requires_confirmation = False
    return flow


@contextmanager
def stopped(node: RedisNode) -> Iterator[None]:
    """The replica acknowledges nothing while stopped."""
    assert node.process is not None
    node.process.send_signal(signal.SIGSTOP)
    try:
        yield
    finally:
        node.process.send_signal(signal.SIGCONT)


def sms_at_twilio(flow: Flow) -> dict[tuple[str, str], int]:
    """How often Twilio took each text to each number (the customers share numbers)."""
    counts: dict[tuple[str, str], int] = {}
    for message in flow.twilio.messages(direction="outbound-api"):
        sent = (message["to"], message["body"])
        counts[sent] = counts.get(sent, 0) + 1
    return counts


def reminders_of(flow: Flow, appointments: list[int]) -> list[str]:
    return [m.key for a in appointments for m in flow.planned_for(a)
            if m.kind is MessageKind.REMINDER]


def send_due(flow: Flow, at: datetime) -> None:
    flow.clock.set(at)
    flow.ticker.tick()
    flow.run_jobs()
    assert flow.twilio.wait_idle(10)


def test_a_failover_promotes_the_replica_and_nothing_is_sent_twice(
        make_flow: MakeFlow, topology: FailoverTopology) -> None:
    flow = on(make_flow, topology.primary.url(0),
              OABRIDGE_REDIS_SENTINELS=topology.sentinels.setting,
              OABRIDGE_REDIS_SENTINEL_MASTER=topology.name)
    flow.ticker.tick()
    flow.run_jobs()
    today = flow.clock.now().date()
    early = [book(flow.api, bookable_slot(flow.api, today + timedelta(days=2), index=i),
                  new_customer(flow.api)) for i in range(3)]
    late = [book(flow.api, bookable_slot(flow.api, today + timedelta(days=4), index=i),
                 new_customer(flow.api)) for i in range(2)]
    flow.poll()
    due_early = max(m.send_at for a in early for m in flow.planned_for(a))
    send_due(flow, due_early + timedelta(minutes=1))
    before = sms_at_twilio(flow)
    assert set(reminders_of(flow, early)) <= set(flow.sent_keys())

    topology.primary.kill()  # the replica has every claim: each was WAITed for
    promoted = topology.wait_for_new_master()
    assert promoted is topology.replica

    flow.poll()  # through the same clients: Sentinel names the new master
    flow.ticker.tick()
    flow.run_jobs()
    assert flow.twilio.wait_idle(10)
    assert sms_at_twilio(flow) == before  # nothing sent twice
    due_late = max(m.send_at for a in late for m in flow.planned_for(a))
    # The promoted replica now has no replica of its own: with MIN_REPLICAS=1 nothing
    # may be sent until the old primary is back, as the new one's replica.
    topology.rejoin(topology.primary)  # Sentinel makes it the new master's replica
    send_due(flow, due_late + timedelta(minutes=1))
    after = sms_at_twilio(flow)
    assert set(reminders_of(flow, late)) <= set(flow.sent_keys())  # nothing lost
    assert len(after) > len(before)
    assert all(count == 1 for count in after.values()), after
    assert flow.failed_jobs() == []


def test_a_claim_no_replica_acknowledged_holds_the_send_back_and_is_retried(
        make_flow: MakeFlow, pair: tuple[RedisNode, RedisNode]) -> None:
    primary, replica = pair
    flow = on(make_flow, primary.url(0), OABRIDGE_REDIS_REPLICA_TIMEOUT_MS="50")
    flow.ticker.tick()
    flow.run_jobs()
    appointment = book(flow.api, bookable_slot(
        flow.api, flow.clock.now().date() + timedelta(days=2)), new_customer(flow.api))
    flow.poll()
    reminder = next(m for m in flow.planned_for(appointment) if m.kind is MessageKind.REMINDER)
    before = sms_at_twilio(flow)
    with stopped(replica):
        send_due(flow, reminder.send_at + timedelta(minutes=1))
        # Held back: the provider was never called, the claim given back, and the
        # message is on the schedule again (not in RQ's retries, which a long hold
        # would use up: tests/flow/test_send_holds.py); nothing failed.
        assert sms_at_twilio(flow) == before
        assert reminder.key not in flow.sent_keys()
        assert flow.redis.get(keys.send_claim(f"{reminder.key}:sms")) == b"released"
        retries = ScheduledJobRegistry(queue=flow.rt.writer.queue(QueueName.SEND))  # type: ignore[no-untyped-call]
        assert retries.get_job_ids() == []
        assert flow.redis.zscore(keys.SCHEDULE, reminder.key) is not None
        assert flow.failed_jobs() == []
    poll_until(replica.link_up, "the replica to be back", 15)
    send_due(flow, flow.clock.now() + LONGEST_PAUSE)  # dispatched again: acknowledged now
    assert flow.sent_keys().count(reminder.key) == 1
    after = sms_at_twilio(flow)  # other messages held with it went out too, each once
    assert len(after) > len(before) and all(count == 1 for count in after.values()), after


def notice(http: httpx.Client, url: str, ident: str, body: str) -> httpx.Response:
    now = datetime.now(UTC)
    return http.post(f"{url}/webhooks/booking", content=body, headers={
        "webhook-id": ident, "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(SECRET).sign(ident, now, body),
        "content-type": "application/json",
    })


def test_a_notice_no_replica_acknowledged_is_answered_503_and_not_lost(
        make_flow: MakeFlow, pair: tuple[RedisNode, RedisNode]) -> None:
    primary, replica = pair
    flow = on(make_flow, primary.url(0), OABRIDGE_REDIS_REPLICA_TIMEOUT_MS="50",
              OABRIDGE_WEBHOOK_SECRET=SECRET)
    flow.ticker.tick()
    flow.run_jobs()
    slot = bookable_slot(flow.api, flow.clock.now().date() + timedelta(days=3))
    appointment = book(flow.api, slot, new_customer(flow.api))
    body = json.dumps({"type": "appointment.changed",
                       "data": {"agenda_id": slot.agenda.id, "appointment_id": appointment}})
    with serve(create_app(flow.settings)) as ingress, httpx.Client() as http:
        with stopped(replica):
            refused = notice(http, ingress, "msg_not_replicated", body)
        assert refused.status_code == 503
        assert "replicas did not confirm" in refused.json()["error"]
        assert refused.headers["Retry-After"] == "2"
        again = notice(http, ingress, "msg_not_replicated", body)  # the sender retries
        assert again.status_code == 202, again.text
    flow.run_jobs()
    assert [k for k, i in flow.events() if i == appointment] == ["created"]
