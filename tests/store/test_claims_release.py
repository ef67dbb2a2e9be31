"""A release gives back only a claim that is still ours: after a failover between a
claim and its release, the new primary may hold another attempt's claim or its
`done:sent`, and writing `released` over that would let a third attempt send again."""

from __future__ import annotations

from datetime import UTC, datetime

from redis import Redis

from bridge.store import keys
from bridge.store.claims import Claims, ClaimState

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_a_claim_of_ours_is_released_and_may_be_claimed_again(redis: Redis) -> None:
    claims = Claims(redis, 3600)
    mine = claims.claim("m:sms", NOW)
    assert claims.release("m:sms", mine)
    assert redis.get(keys.send_claim("m:sms")) == b"released"
    again = claims.claim("m:sms", NOW)
    assert again.state is ClaimState.CLAIMED
    assert claims.release("m:sms")  # without the claim: the one this object granted last
    assert claims.claim("m:sms", NOW).state is ClaimState.CLAIMED


def test_another_attempts_claim_or_its_sent_mark_is_left_alone(redis: Redis) -> None:
    ours, theirs = Claims(redis, 3600), Claims(redis, 3600)  # two processes
    mine = ours.claim("m:sms", NOW)
    # A failover lost our claim; another attempt claimed on the new primary.
    redis.delete(keys.send_claim("m:sms"))
    other = theirs.claim("m:sms", NOW)
    assert not ours.release("m:sms", mine)
    assert redis.get(keys.send_claim("m:sms")) == other.raw.encode()
    theirs.finish("m:sms", "sent")
    assert not ours.release("m:sms", mine)
    assert not ours.release("m:sms")
    assert redis.get(keys.send_claim("m:sms")) == b"done:sent"


def test_a_claim_this_object_never_granted_is_not_released(redis: Redis) -> None:
    other = Claims(redis, 3600).claim("m:sms", NOW)
    assert not Claims(redis, 3600).release("m:sms")
    assert redis.get(keys.send_claim("m:sms")) == other.raw.encode()


def test_a_finished_claim_is_forgotten_so_a_later_release_writes_nothing(
        redis: Redis) -> None:
    claims = Claims(redis, 3600)
    claims.claim("m:sms", NOW)
    claims.finish("m:sms", "sent")
    assert not claims.release("m:sms")
    assert redis.get(keys.send_claim("m:sms")) == b"done:sent"
