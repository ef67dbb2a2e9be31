"""The relay from the intake to RQ: batches, crashes in between, unreadable entries."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from redis import Redis
from redis.asyncio import Redis as AsyncRedis
from rq import Queue
from rq.serializers import JSONSerializer

from bridge.clock import ManualClock
from bridge.queueing.enqueue import JobWriter
from bridge.queueing.intake import Intake, IntakeEntry
from bridge.queueing.relay import UNREADABLE, Relay
from bridge.store import keys

NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


def accept(redis_url: str, job_id: str, claim: str) -> bool:
    async def go() -> bool:
        redis = AsyncRedis.from_url(redis_url)
        try:
            result = await Intake(redis).accept(
                "sync_appointment", [1, 501, None], job_id, claim_key=claim, claim_ttl=60,
                now=int(NOW.timestamp()),
            )
        finally:
            await redis.aclose()
        return result.enqueued

    return asyncio.run(go())


def sync_jobs(redis: Redis) -> list[str]:
    return Queue("sync", connection=redis, serializer=JSONSerializer).job_ids


def test_accepted_entries_become_jobs_with_the_promised_ids(redis: Redis, redis_url: str) -> None:
    assert accept(redis_url, "wh-a", "oab:webhook:a")
    assert not accept(redis_url, "wh-b", "oab:webhook:a")  # same claim: not again
    assert accept(redis_url, "wh-c", "oab:webhook:c")
    relay = Relay(redis, JobWriter(redis), ManualClock(NOW))
    assert relay.pump() == 2
    assert sync_jobs(redis) == ["wh-a", "wh-c"]
    assert relay.pump() == 0


def test_entries_of_a_relay_that_died_are_recovered(redis: Redis, redis_url: str) -> None:
    accept(redis_url, "wh-a", "oab:webhook:a")
    # A relay took the entry and died before making the job.
    redis.lmove(keys.INTAKE, keys.INTAKE_PROCESSING, "RIGHT", "LEFT")
    clock = ManualClock(NOW)
    relay = Relay(redis, JobWriter(redis), clock)
    assert relay.recover() == 0  # first seen now: its relay may still be at work
    clock.advance(timedelta(seconds=keys.INTAKE_RECOVER_SECONDS - 1))
    assert relay.recover() == 0
    clock.advance(timedelta(seconds=2))
    assert relay.recover() == 1
    assert relay.pump() == 1
    assert sync_jobs(redis) == ["wh-a"]
    assert redis.llen(keys.INTAKE_PROCESSING) == 0


def test_an_entry_long_on_the_intake_is_not_taken_from_a_live_relay(
        redis: Redis, redis_url: str) -> None:
    """Seconds are counted from when the ticker first saw the entry in processing, not
    from its acceptance: a backlog must not make every entry look abandoned."""
    accept(redis_url, "wh-a", "oab:webhook:a")
    clock = ManualClock(NOW + timedelta(hours=1))  # accepted an hour ago
    relay = Relay(redis, JobWriter(redis), clock)
    redis.lmove(keys.INTAKE, keys.INTAKE_PROCESSING, "RIGHT", "LEFT")
    assert relay.recover() == 0
    assert relay.pump() == 0  # nothing on the intake: the entry is with its relay
    redis.lrem(keys.INTAKE_PROCESSING, 1, redis.lindex(keys.INTAKE_PROCESSING, 0) or b"")
    assert relay.recover() == 0  # its relay finished; the record of it is dropped
    assert redis.hlen(keys.INTAKE_PROCESSING_SEEN) == 0


def test_an_unreadable_entry_is_kept_visibly(redis: Redis) -> None:
    redis.lpush(keys.INTAKE, "not json")
    redis.lpush(keys.INTAKE, IntakeEntry("no_such_job", (), "x", 0).to_json())
    relay = Relay(redis, JobWriter(redis), ManualClock(NOW))
    assert relay.pump() == 0
    assert redis.llen(UNREADABLE) == 2
    assert redis.llen(keys.INTAKE) == redis.llen(keys.INTAKE_PROCESSING) == 0
