"""The shared rate limit: a token bucket in Redis that starts without a burst."""

from __future__ import annotations

from redis import Redis

from bridge.outbound.rate_limit import TokenBucket


def test_the_bucket_starts_without_a_burst_and_asks_to_wait(redis: Redis) -> None:
    waits: list[float] = []
    bucket = TokenBucket(redis, 5, sleep=waits.append)
    assert bucket.try_acquire() == 0.0  # one token to start with, not a second's worth
    wait = bucket.try_acquire()
    assert 0 < wait <= 0.2 + 1e-6
    assert TokenBucket(redis, 0).try_acquire() == 0.0  # 0 means no limit
