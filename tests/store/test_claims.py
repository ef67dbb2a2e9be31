"""Exactly-once claims: had once, released, and an abandoned one taken over once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from redis import Redis

from bridge.store.claims import STALE_SECONDS, Claims, ClaimState

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
