"""Exactly-once claims: had once, released, and an abandoned one taken over once; a
claim whose worker is gone is judged after `ORPHAN_SECONDS`, not `STALE_SECONDS`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from redis import Redis

from bridge.queueing.abandoned import mark_alive
from bridge.store import keys
from bridge.store.claims import (
    ORPHAN_SECONDS,
    STALE_SECONDS,
    ClaimLostError,
    Claims,
    ClaimState,
)

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


def test_a_claim_whose_worker_is_gone_is_stale_once_it_is_orphan_seconds_old(
        redis: Redis) -> None:
    dead = Claims(redis, 3600, holder="worker-that-died")  # no alive key: it is gone
    dead.claim("m:sms", NOW)
    other = Claims(redis, 3600)
    orphaned = other.claim("m:sms", NOW + timedelta(seconds=ORPHAN_SECONDS - 1))
    assert orphaned.state is ClaimState.ORPHANED
    assert orphaned.since == int(NOW.timestamp())
    assert orphaned.ripe_at == int(NOW.timestamp()) + ORPHAN_SECONDS + 1
    stale = other.claim("m:sms", NOW + timedelta(seconds=ORPHAN_SECONDS))
    assert stale.state is ClaimState.STALE
    assert other.take_over("m:sms", stale, NOW + timedelta(seconds=ORPHAN_SECONDS))
    assert other.claim("m:sms", NOW + timedelta(seconds=ORPHAN_SECONDS)).state \
        is ClaimState.BUSY  # taken over by a claim without a holder: only its age counts


def test_a_claim_whose_worker_lives_stays_busy_until_stale_seconds(redis: Redis) -> None:
    mark_alive(redis, "worker-alive")
    Claims(redis, 3600, holder="worker-alive").claim("m:sms", NOW)
    other = Claims(redis, 3600, holder="another")
    assert other.claim("m:sms", NOW + timedelta(seconds=ORPHAN_SECONDS * 2)).state \
        is ClaimState.BUSY
    assert other.claim("m:sms", NOW + timedelta(seconds=STALE_SECONDS + 1)).state \
        is ClaimState.STALE


def test_a_claim_made_before_claims_named_their_worker_is_read_as_before(
        redis: Redis) -> None:
    redis.set(keys.send_claim("m:sms"), f"in_flight:tok:{int(NOW.timestamp())}")
    claims = Claims(redis, 3600, holder="w")
    busy = claims.claim("m:sms", NOW + timedelta(seconds=ORPHAN_SECONDS * 2))
    assert busy.state is ClaimState.BUSY and busy.token == "tok"
    assert claims.claim("m:sms", NOW + timedelta(seconds=STALE_SECONDS + 1)).state \
        is ClaimState.STALE


def test_a_peek_judges_without_claiming(redis: Redis) -> None:
    claims = Claims(redis, 3600)
    assert claims.peek("m:sms", NOW) is None  # never claimed
    Claims(redis, 3600, holder="worker-that-died").claim("m:sms", NOW)
    peeked = claims.peek("m:sms", NOW + timedelta(seconds=1))
    assert peeked is not None and peeked.state is ClaimState.ORPHANED
    assert claims.claim("m:sms", NOW + timedelta(seconds=1)).state is ClaimState.ORPHANED
    claims.finish("m:sms", "sent")
    done = claims.peek("m:sms", NOW)
    assert done is not None and done.state is ClaimState.DONE
    redis.set(keys.send_claim("m:sms"), "released")
    assert claims.peek("m:sms", NOW) is None


def test_an_email_claim_is_marked_before_it_is_handed_over(redis: Redis) -> None:
    """A stale claim tells whether its attempt had begun handing the e-mail over."""
    dead = Claims(redis, 3600, holder="worker-that-died")
    dead.claim("before:email", NOW)
    dead.claim("during:email", NOW)
    dead.mark_handing("during:email")
    later = NOW + timedelta(seconds=ORPHAN_SECONDS)
    other = Claims(redis, 3600)
    before, during = other.claim("before:email", later), other.claim("during:email", later)
    assert before.state is during.state is ClaimState.STALE
    assert (before.handing, during.handing) == (False, True)
    assert before.worker == during.worker == "worker-that-died"


def test_a_marked_claim_is_released_and_a_lost_one_cannot_be_marked(redis: Redis) -> None:
    claims = Claims(redis, 3600, holder="w")
    claims.claim("m:email", NOW)
    claims.mark_handing("m:email")
    assert claims.release("m:email")  # a 451 at the end of DATA: nothing was delivered
    assert claims.claim("m:email", NOW).state is ClaimState.CLAIMED
    redis.set(keys.send_claim("m:email"), "in_flight:other:1:x")  # taken over meanwhile
    with pytest.raises(ClaimLostError):
        claims.mark_handing("m:email")
