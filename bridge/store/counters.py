"""Counts the workers keep for the ingress's /metrics: reply intents and upstream errors.

Workers run in other processes than the ingress that serves /metrics, so the counts
live in Redis hashes; the ingress reads them at each scrape (`bridge.ingress.health`).
The plan's and the message log's counts are kept by their owners the same way
(`PlanStore.event_counts`, `MessageLog.status_counts`), read with `counts_of`.
"""

from __future__ import annotations

from redis import Redis

from bridge.store import keys
from bridge.store.text import as_text

__all__ = ["Counters", "counts_of"]


class Counters:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    def reply_intent(self, intent: str) -> None:
        """One more reply understood as `intent`."""
        self.redis.hincrby(keys.INTENT_COUNTS, intent, 1)

    def upstream_error(self, kind: str) -> None:
        """One more job that met a booking API error of class `kind`."""
        self.redis.hincrby(keys.UPSTREAM_ERROR_COUNTS, kind, 1)

    def reply_intents(self) -> dict[str, int]:
        return counts_of(self.redis.hgetall(keys.INTENT_COUNTS))

    def upstream_errors(self) -> dict[str, int]:
        return counts_of(self.redis.hgetall(keys.UPSTREAM_ERROR_COUNTS))


def counts_of(raw: dict[bytes | str, bytes | str]) -> dict[str, int]:
    """A Redis hash of counts as names and numbers, in the hash's own order."""
    return {as_text(name): int(value) for name, value in raw.items()}
