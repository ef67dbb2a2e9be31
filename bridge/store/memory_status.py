"""What `oabridge status` shows of the bridge's memory: the epoch, the recovery, and the
Redis that holds them (persistence, replicas, eviction policy).

Read over a connection opened for it and closed after, inside the store (the command
line reaches Redis only through the keys' owners), like the start-up check
(`bridge.store.redis_fitness.ask_redis`).
"""

from __future__ import annotations

from dataclasses import dataclass

from bridge.store.connection import connect
from bridge.store.epoch import Epoch, Epochs
from bridge.store.redis_fitness import Fitness, read_fitness
from bridge.store.redis_target import RedisTarget

__all__ = ["MemoryStatus", "ask_memory_status"]


@dataclass(frozen=True)
class MemoryStatus:
    epoch: Epoch | None
    """None: no bridge process has decided yet on this Redis (or it just forgot)."""
    recovery_counts: dict[str, int]
    fitness: Fitness


def ask_memory_status(target: RedisTarget | str) -> MemoryStatus:
    """Read it all; a `RedisError` (or `OSError`) propagates."""
    redis = connect(target)
    try:
        epochs = Epochs(redis)
        return MemoryStatus(epochs.read(), epochs.counts(), read_fitness(redis))
    finally:
        redis.close()
