"""Exactly-once claims, the message log's forward-only status, the shared rate limit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from redis import Redis

from bridge.outbound.rate_limit import TokenBucket
from bridge.store.claims import STALE_SECONDS, Claims, ClaimState
from bridge.store.message_log import MessageLog, MessageRecord

NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


def test_a_claim_is_had_once(redis: Redis) -> None:
    claims = Claims(redis, 3600)
    first = claims.claim("m:sms", NOW)
    assert first.state is ClaimState.CLAIMED
    assert claims.claim("m:sms", NOW + timedelta(seconds=5)).state is ClaimState.BUSY
    claims.finish("m:sms", "sent")
    assert claims.claim("m:sms", NOW + timedelta(hours=1)).state is ClaimState.DONE


def test_a_released_claim_may_be_claimed_again(redis: Redis) -> None:
    claims = Claims(redis, 3600)
    claims.claim("m:sms", NOW)
    claims.release("m:sms")  # a 429: nothing was sent
    assert claims.claim("m:sms", NOW).state is ClaimState.CLAIMED


def test_an_abandoned_claim_turns_stale_and_is_taken_over_once(redis: Redis) -> None:
    claims = Claims(redis, 3600)
    claims.claim("m:sms", NOW)  # the worker dies here
    later = NOW + timedelta(seconds=STALE_SECONDS + 1)
    stale = claims.claim("m:sms", later)
    assert stale.state is ClaimState.STALE and stale.since == int(NOW.timestamp())
    assert claims.take_over("m:sms", stale, later) is not None
    assert claims.take_over("m:sms", stale, later) is None  # someone already did
    assert claims.claim("m:sms", later).state is ClaimState.BUSY


def test_status_only_moves_forward_but_the_timeline_keeps_everything(redis: Redis) -> None:
    log = MessageLog(redis, 3600)
    log.open(MessageRecord("k:sms", "k", 7, "reminder", "sms", "+31612345678", "claimed"), NOW)
    log.link_provider("k:sms", "SM" + "0" * 32)
    assert log.advance("k:sms", "sent", NOW)
    assert log.advance("k:sms", "delivered", NOW + timedelta(seconds=2))
    assert log.advance("k:sms", "sent", NOW + timedelta(seconds=3))  # late and out of order
    record = log.get("k:sms")
    assert record is not None and record.status == "delivered"
    assert [s["status"] for s in record.timeline] == ["claimed", "sent", "delivered", "sent"]
    assert log.by_provider_id("SM" + "0" * 32) == "k:sms"
    assert not log.advance("nope:sms", "sent", NOW)


def test_the_bucket_starts_without_a_burst_and_asks_to_wait(redis: Redis) -> None:
    waits: list[float] = []
    bucket = TokenBucket(redis, 5, sleep=waits.append)
    assert bucket.try_acquire() == 0.0  # one token to start with, not a second's worth
    wait = bucket.try_acquire()
    assert 0 < wait <= 0.2 + 1e-6
    assert TokenBucket(redis, 0).try_acquire() == 0.0  # 0 means no limit
