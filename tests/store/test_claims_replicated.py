"""Claims a replica has seen (`OABRIDGE_REDIS_MIN_REPLICAS`): a claim too few replicas
acknowledged is given back at once and raises, so nothing is sent on it.

Real servers: a primary with one replica (`tests.support.redis_topology`); a replica
that stops acknowledging is a stopped process (SIGSTOP), as a stalled or partitioned
one looks to its primary.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from redis import Redis

from bridge.store import keys
from bridge.store.claims import STALE_SECONDS, Claims, ClaimState
from bridge.store.replication import NotReplicatedError, Replication
from tests.support.redis_topology import RedisNode

pytestmark = pytest.mark.slow

NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
#: Where the replica must acknowledge: WAIT returns at the acknowledgement, so a long
#: bound costs nothing on a quiet machine and survives a loaded one (50 ms did not, in CI).
ONE = Replication(replicas=1, timeout_ms=4000)
#: Where the replica is stopped: the bound is only how long the refusal takes.
STOPPED = Replication(replicas=1, timeout_ms=50)


@pytest.fixture(scope="module")
def pair() -> Iterator[tuple[RedisNode, RedisNode]]:
    primary = RedisNode.primary(aof=False)
    replica = RedisNode.replica(primary)
    yield primary, replica
    replica.stop()
    primary.stop()


@pytest.fixture
def primary(pair: tuple[RedisNode, RedisNode]) -> Iterator[Redis]:
    client = pair[0].client()  # a server of this module's own: each test its own ids
    yield client
    client.close()


def test_a_claim_the_replica_acknowledged_is_ours(primary: Redis,
                                                  pair: tuple[RedisNode, RedisNode]) -> None:
    claims = Claims(primary, 3600, ONE)
    assert claims.claim("m0:sms", NOW).state is ClaimState.CLAIMED
    seen = pair[1].client()
    try:
        assert (seen.get(keys.send_claim("m0:sms")) or b"").startswith(b"in_flight:")
    finally:
        seen.close()


def test_a_claim_a_stopped_replica_never_saw_is_released_and_raises(
        primary: Redis, pair: tuple[RedisNode, RedisNode]) -> None:
    replica = pair[1]
    claims = Claims(primary, 3600, STOPPED)
    assert replica.process is not None
    replica.process.send_signal(signal.SIGSTOP)
    try:
        with pytest.raises(NotReplicatedError) as raised:
            claims.claim("m1:sms", NOW)
        assert (raised.value.acked, raised.value.wanted) == (0, 1)
        assert primary.get(keys.send_claim("m1:sms")) == b"released"
    finally:
        replica.process.send_signal(signal.SIGCONT)
    # The retry, once the replica acknowledges again, has it.
    assert Claims(primary, 3600, ONE).claim("m1:sms", NOW).state is ClaimState.CLAIMED


def test_a_taken_over_claim_is_replicated_too(primary: Redis,
                                              pair: tuple[RedisNode, RedisNode]) -> None:
    claims = Claims(primary, 3600, ONE)
    claims.claim("m2:sms", NOW)  # its worker dies
    later = NOW + timedelta(seconds=STALE_SECONDS + 1)
    stale = claims.claim("m2:sms", later)
    replica = pair[1]
    assert replica.process is not None
    replica.process.send_signal(signal.SIGSTOP)
    try:
        with pytest.raises(NotReplicatedError):
            Claims(primary, 3600, STOPPED).take_over("m2:sms", stale, later)
        assert primary.get(keys.send_claim("m2:sms")) == b"released"
    finally:
        replica.process.send_signal(signal.SIGCONT)


def test_without_a_replica_a_claim_asked_to_be_replicated_is_never_ours(redis: Redis) -> None:
    claims = Claims(redis, 3600, STOPPED)  # the suite's Redis has no replica
    with pytest.raises(NotReplicatedError):
        claims.claim("m:sms", NOW)
    assert redis.get(keys.send_claim("m:sms")) == b"released"
    # A claim found done or busy was not ours to begin with: no error, nothing released.
    Claims(redis, 3600).finish("m:sms", "sent")
    assert claims.claim("m:sms", NOW).state is ClaimState.DONE
    assert redis.get(keys.send_claim("m:sms")) == b"done:sent"
