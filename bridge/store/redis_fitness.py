"""Is the Redis a process is given fit to be the bridge's memory? Asked once, at start-up.

Redis holds the claims that keep an SMS from going out twice. A Redis that evicts keys
under memory pressure drops claims (they carry TTLs, so the `volatile-*` policies drop
them first): an evicted claim is a duplicate SMS. So a process refuses to start unless
`maxmemory_policy` is `noeviction`, read from `INFO memory`, which managed Redis
services answer even where they disable `CONFIG`.

A Redis that keeps nothing on disk and has no replica forgets everything when it
restarts, and the bridge then sends again what it had sent. That is a warning, not a
refusal (the local demo and tests run such a Redis on purpose). Persistence is an
append-only file (`aof_enabled` in `INFO persistence`) or a snapshot schedule
(`CONFIG GET save`); INFO has no field for the schedule, and where `CONFIG` is refused
persistence is "unknown", never "absent". Replicas: `connected_slaves` of
`INFO replication`.

`assess` is pure over those answers; `read_fitness` asks a Redis for them, and
`ask_redis` opens a connection of its own to do so, once, at start-up.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from redis import Redis
from redis.exceptions import ResponseError

from bridge.store.connection import connect
from bridge.store.redis_target import RedisTarget

__all__ = ["Fitness", "Persistence", "ask_redis", "assess", "read_fitness", "replicas_short"]

#: How the Redis keeps its data across a restart; "unknown": `CONFIG` was refused.
Persistence = Literal["aof", "rdb", "none", "unknown"]

#: The only eviction policy that never drops a key.
NO_EVICTION = "noeviction"


@dataclass(frozen=True)
class Fitness:
    """What the bridge learned about its Redis, and what it makes of it."""

    policy: str | None  # None: INFO did not say
    persistence: Persistence
    replicas: int

    @property
    def refusal(self) -> str | None:
        """One line naming the policy and what to set, or None when keys are never evicted."""
        if self.policy is None or self.policy == NO_EVICTION:
            return None
        return (f"Redis evicts keys (maxmemory-policy {self.policy}): an evicted claim is a "
                f"duplicate SMS; set maxmemory-policy {NO_EVICTION} on the Redis of "
                "OABRIDGE_REDIS_URL")

    @property
    def warning(self) -> str | None:
        """One line when a restart of this Redis may forget everything, else None."""
        if self.replicas > 0 or self.persistence in ("aof", "rdb"):
            return None
        kept = ("keeps nothing on disk (no append-only file, no snapshots)"
                if self.persistence == "none" else
                "may keep nothing on disk (no append-only file; CONFIG GET save refused, "
                "so snapshots are unknown)")
        return (f"Redis {kept} and has no replica: a restart forgets what was sent, and it "
                "is sent again; use appendonly yes (appendfsync everysec) or a replica")


def replicas_short(fitness: Fitness, wanted: int) -> str | None:
    """One line when fewer replicas are connected than claims must wait for
    (`OABRIDGE_REDIS_MIN_REPLICAS`), else None: every send is then held back and the
    ingress answers 503 until one connects. A warning, not a refusal: a replica that is
    resyncing after a failover comes back by itself."""
    if wanted <= fitness.replicas:
        return None
    return (f"OABRIDGE_REDIS_MIN_REPLICAS is {wanted} but the Redis has {fitness.replicas} "
            "connected replica(s): sends are held back and the ingress answers 503 until "
            "enough replicas connect")


def _number(section: Mapping[str, Any], field: str) -> int:
    try:
        return int(section.get(field, 0))
    except (TypeError, ValueError):
        return 0


def assess(memory: Mapping[str, Any], persistence: Mapping[str, Any],
           replication: Mapping[str, Any], save: str | None) -> Fitness:
    """Judge from the sections of INFO and the `save` setting (None: CONFIG refused)."""
    policy = memory.get("maxmemory_policy")
    kept: Persistence
    if _number(persistence, "aof_enabled"):
        kept = "aof"
    elif save is None:
        kept = "unknown"
    else:
        kept = "rdb" if save.strip() else "none"
    return Fitness(policy=str(policy) if policy is not None else None, persistence=kept,
                   replicas=_number(replication, "connected_slaves"))


def read_fitness(redis: Redis) -> Fitness:
    """Ask `redis`; a `RedisError` other than a refused CONFIG propagates."""
    try:
        save: str | None = str(redis.config_get("save").get("save", ""))
    except ResponseError:  # CONFIG disabled or renamed (managed Redis)
        save = None
    return assess(redis.info("memory"), redis.info("persistence"),
                  redis.info("replication"), save)


def ask_redis(target: RedisTarget | str) -> Fitness:
    """`read_fitness` over a connection to `target` (under Sentinel: its primary)
    opened for it and closed after."""
    redis = connect(target)
    try:
        return read_fitness(redis)
    finally:
        redis.close()
