"""Due retries back onto their queues: the ticker's work, not RQ's scheduler process.

RQ's scheduler holds a 61-second lock, and when the worker running it dies another
worker takes the lock over only in its maintenance, every ten minutes: meanwhile no
retry runs, and a reminder retried after a 429 could wait past its appointment. The
ticker's 5-second lease already names one process to do periodic work, so it moves the
jobs whose retry time has come, each tick, with RQ's own code for it
(`rq_internals.due_retry_mover`).
"""

from __future__ import annotations

from redis import Redis

from bridge.queueing.jobs import QUEUES_BY_PRIORITY
from bridge.queueing.rq_internals import due_retry_mover

__all__ = ["RetryMover"]


class RetryMover:
    def __init__(self, redis: Redis) -> None:
        self._move_due = due_retry_mover(redis, [queue.value for queue in QUEUES_BY_PRIORITY])

    def move_due(self) -> None:
        """Queue every scheduled job whose time has come (RQ's scheduled registries)."""
        self._move_due()
