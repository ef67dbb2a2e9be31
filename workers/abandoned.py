"""Jobs whose worker died: handed back to RQ's retry within seconds, not minutes.

RQ sees a dead worker's job only when the job's heartbeat lapses (a minute and a half)
and a worker's maintenance runs (every ten minutes); a reminder held that long misses
its appointment. So each worker process keeps a short-lived alive key, and the ticker
marks any started job whose worker's key is gone as expired and lets RQ's own clean-up
handle it as abandoned: retried with the job's retry policy, or, with no retries left,
visible in the failed registry. Every job is safe to run twice, so a worker that was
only slow (its key lapsed while it lived) costs a repeat, never a second message.
"""

from __future__ import annotations

import threading

import structlog
from redis import Redis
from rq import Queue
from rq.job import Job
from rq.registry import StartedJobRegistry
from rq.serializers import JSONSerializer

from bridge.queueing.jobs import QUEUES_BY_PRIORITY
from bridge.store import keys
from bridge.store.text import as_text

__all__ = ["keep_alive", "requeue_abandoned"]

log = structlog.get_logger(__name__)


def keep_alive(redis: Redis, worker_name: str, stop: threading.Event,
               every_seconds: float = 1.0) -> None:
    """Refresh this process's alive key until `stop` (a background thread's loop)."""
    registered = False
    while True:
        try:
            redis.set(keys.worker_alive(worker_name), 1, ex=keys.WORKER_ALIVE_SECONDS)
            if not registered:  # after the key: a listed name without a key is dead
                redis.sadd(keys.WORKERS, worker_name)
                registered = True
        except Exception:  # a Redis hiccup: try again next second
            log.warning("keep_alive_failed", exc_info=True)
        if stop.wait(every_seconds):
            break
    redis.delete(keys.worker_alive(worker_name))
    redis.srem(keys.WORKERS, worker_name)


def requeue_abandoned(redis: Redis) -> int:
    """Hand the started jobs of dead worker processes to RQ's abandoned-job handling."""
    known = {as_text(name) for name in redis.smembers(keys.WORKERS)}
    if not known:
        return 0
    handed = 0
    for queue_name in QUEUES_BY_PRIORITY:
        queue = Queue(queue_name.value, connection=redis, serializer=JSONSerializer)
        registry = StartedJobRegistry(queue=queue)
        expired: list[str] = []
        for entry in map(as_text, redis.zrange(registry.key, 0, -1)):
            job_id = entry.split(":", 1)[0]
            name = as_text(redis.hget(Job.key_for(job_id), "worker_name") or b"")
            if name in known and not redis.exists(keys.worker_alive(name)):
                expired.append(entry)
        if not expired:
            continue
        redis.zadd(registry.key, dict.fromkeys(expired, 1), xx=True)
        registry.cleanup(timestamp=2)  # only the entries scored 1 above
        handed += len(expired)
        log.warning("abandoned_jobs_requeued", queue=queue_name.value, count=len(expired))
    dead = [n for n in known if not redis.exists(keys.worker_alive(n))]
    if dead:
        redis.srem(keys.WORKERS, *dead)
    return handed
