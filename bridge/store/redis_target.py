"""What the connection factory is told to connect to: the shape of the settings' Redis.

The settings build one value from `OABRIDGE_REDIS_URL`, `OABRIDGE_REDIS_SENTINELS`,
`OABRIDGE_REDIS_SENTINEL_MASTER`, `OABRIDGE_REDIS_MIN_REPLICAS` and
`OABRIDGE_REDIS_REPLICA_TIMEOUT_MS` (`bridge.settings.redis_target.ConfiguredRedis`).
The store may not import the settings, so it names only the shape it reads: any
object with these attributes will do, and a bare URL is a Redis without Sentinels or
replicas asked (the tests', the benchmarks' and the local tools' way).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

__all__ = ["PlainRedis", "RedisTarget", "as_target"]


class RedisTarget(Protocol):
    @property
    def url(self) -> str:
        """The Redis; with Sentinels only its database, credentials and TLS are used."""
    @property
    def sentinels(self) -> tuple[tuple[str, int], ...]:
        """(host, port) of each Sentinel; empty: connect to `url` itself."""
    @property
    def sentinel_master(self) -> str:
        """The name the Sentinels know the primary by."""
    @property
    def min_replicas(self) -> int:
        """Replicas that must acknowledge a claim (0: none asked)."""
    @property
    def replica_timeout_ms(self) -> int:
        """How long a claim waits for them."""


@dataclass(frozen=True, slots=True)
class PlainRedis:
    """A Redis at a URL: no Sentinels, no replicas asked."""

    url: str
    sentinels: tuple[tuple[str, int], ...] = ()
    sentinel_master: str = ""
    min_replicas: int = 0
    replica_timeout_ms: int = 500


def as_target(target: RedisTarget | str) -> RedisTarget:
    return PlainRedis(target) if isinstance(target, str) else target
