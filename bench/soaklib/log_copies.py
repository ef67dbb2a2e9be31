"""The soak's copy of the bridge's provider links (provider id -> message-log id).

The oracle reads a reminder's offset and checks "one log record per provider message"
through these links, and Redis faults take them: amnesia empties the database, and a
failover loses what the replica had not received. So the soak copies them as they
grow (every few seconds, and just before each Redis fault) and judges by the copy where
Redis no longer has them.
"""

from __future__ import annotations

from redis import Redis
from redis.exceptions import RedisError

from bridge.store import keys

PREFIX = keys.provider_message("")


class LogCopies:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self.links: dict[str, str] = {}

    def read(self) -> None:
        """Copy the links not copied yet; an outage leaves the copy as it was."""
        try:
            batch: list[bytes] = []
            for key in self.redis.scan_iter(match=PREFIX + "*", count=2000):
                if key.decode()[len(PREFIX):] not in self.links:
                    batch.append(key)
                if len(batch) >= 500:
                    self._copy(batch)
                    batch = []
            self._copy(batch)
        except RedisError:
            return

    def _copy(self, batch: list[bytes]) -> None:
        if not batch:
            return
        for key, value in zip(batch, self.redis.mget(batch), strict=True):
            if value is not None:
                text = value.decode() if isinstance(value, bytes) else str(value)
                self.links[key.decode()[len(PREFIX):]] = text
