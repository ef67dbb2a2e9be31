"""The claims that keep one periodic job queued at a time (polls, reconciliations).

The ticker queues a poll only while no poll is queued: it claims the key with the
job (`JobWriter.enqueue_once`), and the job releases it as it starts, so a new
trigger may queue the next one while this one runs. A claim also lapses after
`keys.POLL_CLAIM_SECONDS`, should its job be lost.
"""

from __future__ import annotations

from redis import Redis

from bridge.store import keys

__all__ = ["PeriodicClaims"]


class PeriodicClaims:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    @staticmethod
    def poll(agenda_id: int) -> str:
        return keys.poll_queued(agenda_id)

    RECONCILE = keys.RECONCILE_QUEUED
    INBOUND_RECONCILE = keys.INBOUND_RECONCILE_QUEUED

    def release(self, claim_key: str) -> None:
        """The claimed job has started: the next one may be queued."""
        self.redis.delete(claim_key)
