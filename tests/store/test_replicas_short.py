"""The start-up check's line for a Redis with fewer replicas than claims wait for."""

from __future__ import annotations

from bridge.store.redis_fitness import Fitness, replicas_short


def test_fewer_replicas_than_asked_is_one_line() -> None:
    alone = Fitness(policy="noeviction", persistence="aof", replicas=0)
    line = replicas_short(alone, 1)
    assert line is not None and "OABRIDGE_REDIS_MIN_REPLICAS is 1" in line
    assert "0 connected replica" in line
    assert replicas_short(alone, 0) is None
    assert replicas_short(Fitness("noeviction", "aof", 2), 2) is None
