"""Judging a Redis from its INFO answers: the eviction policy refuses, a Redis that
would forget everything on a restart warns, and a refused CONFIG is "unknown", never
"absent". The reader is asked of the suite's Redis (no eviction, no persistence)."""

from __future__ import annotations

from typing import Any

import pytest
from redis import Redis

from bridge.store.redis_fitness import assess, read_fitness

NOEVICTION = {"maxmemory_policy": "noeviction"}
NO_AOF = {"aof_enabled": 0, "rdb_changes_since_last_save": 0}
NO_REPLICA = {"role": "master", "connected_slaves": 0}


def judge(memory: dict[str, Any] = NOEVICTION, persistence: dict[str, Any] = NO_AOF,
          replication: dict[str, Any] = NO_REPLICA, save: str | None = "") -> Any:
    return assess(memory, persistence, replication, save)


@pytest.mark.parametrize("policy", [
    "allkeys-lru", "allkeys-lfu", "allkeys-random",
    # claims carry TTLs: the volatile policies evict exactly them
    "volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl",
])
def test_every_policy_that_evicts_is_refused_naming_it_and_what_to_set(policy: str) -> None:
    refusal = judge(memory={"maxmemory_policy": policy}).refusal
    assert refusal == (f"Redis evicts keys (maxmemory-policy {policy}): an evicted claim is "
                       "a duplicate SMS; set maxmemory-policy noeviction on the Redis of "
                       "OABRIDGE_REDIS_URL")


def test_noeviction_is_accepted_and_a_policy_info_does_not_give_is_not_guessed() -> None:
    assert judge().refusal is None
    assert judge(memory={}).refusal is None


def test_no_aof_no_snapshots_no_replica_warns_that_a_restart_forgets() -> None:
    fitness = judge()
    assert fitness.persistence == "none"
    assert fitness.warning is not None
    assert fitness.warning.startswith("Redis keeps nothing on disk")
    assert "appendonly yes" in fitness.warning and "\n" not in fitness.warning


@pytest.mark.parametrize(("persistence", "save", "kept"), [
    ({"aof_enabled": 1}, "", "aof"),
    ({"aof_enabled": 1}, None, "aof"),  # AOF is in INFO: CONFIG is not needed
    (NO_AOF, "3600 1 300 100", "rdb"),
])
def test_an_append_only_file_or_a_snapshot_schedule_is_persistence(
    persistence: dict[str, Any], save: str | None, kept: str
) -> None:
    fitness = judge(persistence=persistence, save=save)
    assert fitness.persistence == kept and fitness.warning is None


def test_changes_since_the_last_save_do_not_count_as_a_schedule() -> None:
    """`rdb_changes_since_last_save` grows with or without a schedule: only `save` says."""
    fitness = judge(persistence={"aof_enabled": 0, "rdb_changes_since_last_save": 0})
    assert fitness.persistence == "none"


def test_a_refused_config_makes_persistence_unknown_not_absent() -> None:
    fitness = judge(save=None)
    assert fitness.persistence == "unknown"
    assert fitness.warning is not None
    assert "may keep nothing on disk" in fitness.warning
    assert "CONFIG GET save refused" in fitness.warning


def test_a_replica_is_enough() -> None:
    fitness = judge(replication={"role": "master", "connected_slaves": 1}, save=None)
    assert fitness.replicas == 1 and fitness.warning is None


def test_the_reader_asks_a_real_redis(redis: Redis) -> None:
    """The suite's Redis: not evicting; its persistence and replicas as it reports them."""
    fitness = read_fitness(redis)
    assert fitness.policy == redis.info("memory")["maxmemory_policy"]
    assert fitness.replicas == redis.info("replication")["connected_slaves"]
    assert fitness.persistence in ("aof", "rdb", "none")
