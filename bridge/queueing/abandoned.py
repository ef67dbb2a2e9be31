"""Jobs whose worker died: handed back to RQ's retry within seconds, not minutes.

RQ sees a dead worker's job only when the job's heartbeat lapses (a minute and a half)
and a worker's maintenance runs (every ten minutes); a reminder held that long misses
its appointment. So each worker process keeps a short-lived alive key, and the ticker
puts any started job whose worker's key is gone back at the front of its queue at once
(a job did not fail because its worker was killed, so it does not wait for a retry
interval), counting it as one of its retries; with none left, RQ's own clean-up moves
it to the failed registry, where it stays visible. Every job is safe to run twice, so a
worker that was only slow (its key lapsed while it lived) costs a repeat, never a
second message. The parts of RQ this reads and writes below its public API (the
started registry's members, the executions, the requeue) are in
`bridge.queueing.rq_internals`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import structlog
from redis import Redis
from redis.client import Pipeline
from rq import Queue
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from rq.registry import StartedJobRegistry
from rq.serializers import JSONSerializer

from bridge.queueing.enqueue import RUN_PACKED_COMMANDS, flatten_commands
from bridge.queueing.jobs import QUEUES_BY_PRIORITY
from bridge.queueing.rq_internals import (
    enqueue_at_front,
    fail_abandoned,
    intermediate_key,
    job_id_of,
    recorded,
    started_entries,
    worker_of,
)
from bridge.store import keys
from bridge.store.text import as_text

__all__ = ["keep_alive", "mark_alive", "requeue_abandoned"]

log = structlog.get_logger(__name__)


def mark_alive(redis: Redis, worker_name: str) -> None:
    """Set the alive key, then list the name: a listed name without a key is dead. One
    round trip (a pipeline, no transaction: the order is kept on one connection)."""
    pipe = redis.pipeline(transaction=False)
    pipe.set(keys.worker_alive(worker_name), 1, ex=keys.WORKER_ALIVE_SECONDS)
    pipe.sadd(keys.WORKERS, worker_name)
    pipe.execute()


def keep_alive(redis: Redis, worker_name: str, stop: threading.Event,
               every_seconds: float = 1.0, *, crashed: threading.Event | None = None) -> None:
    """Refresh the alive key of worker `worker_name` until `stop` (a background thread's
    loop; the worker may be another process: `workers/process.py`). Then the key goes,
    and the name too unless `crashed` is set: a worker that ended with a job in hand
    stays listed without a key, so the ticker hands its job back at once."""
    while True:
        try:
            # The name is listed again on every beat, not once: a Redis that forgot (#16)
            # would otherwise leave this worker unlisted, and a job it then dies with
            # would wait for RQ's own clean-up (minutes) instead of the ticker (seconds).
            mark_alive(redis, worker_name)
        except Exception:  # a Redis hiccup: try again next second
            log.warning("keep_alive_failed", exc_info=True)
        if stop.wait(every_seconds):
            break
    redis.delete(keys.worker_alive(worker_name))
    if crashed is None or not crashed.is_set():
        redis.srem(keys.WORKERS, worker_name)


def requeue_abandoned(redis: Redis) -> int:
    """Put the jobs of dead worker processes back on their queues; how many."""
    # Decided once, before the scans: a worker whose key lapses mid-pass is handled on
    # the next pass, not forgotten with its entries unseen.
    known = {as_text(name) for name in redis.smembers(keys.WORKERS)}
    dead = {name for name in known if not redis.exists(keys.worker_alive(name))}
    handed = 0
    for queue_name in QUEUES_BY_PRIORITY:
        queue = Queue(queue_name.value, connection=redis, serializer=JSONSerializer)
        registry = StartedJobRegistry(queue=queue)
        expired = [entry for entry in (started_entries(redis, registry) if dead else [])
                   if worker_of(redis, entry) in dead]
        for entry in expired:
            handed += _hand_back(redis, queue, registry, entry)
        handed += _rescue_dequeued(redis, queue, registry)
    if dead:
        redis.srem(keys.WORKERS, *dead)
    return handed


def _hand_back(redis: Redis, queue: Queue, registry: StartedJobRegistry, entry: str) -> int:
    """Requeue one abandoned execution at the front; 1 if a job was handed back."""
    job_id = job_id_of(entry)
    try:
        job = Job.fetch(job_id, connection=redis, serializer=JSONSerializer)
    except NoSuchJobError:
        redis.zrem(registry.key, entry)
        return 0

    def forget(pipe: Pipeline) -> None:
        pipe.lrem(intermediate_key(queue), 0, job_id)

    status = job.get_status()
    if status is JobStatus.QUEUED:  # killed before its horse began: it never ran
        if redis.lpos(queue.key, job_id) is not None:  # already back in line
            redis.zrem(registry.key, entry)
            return 0
        if not _requeue_at_front(redis, queue, job, ("zrem", registry.key, entry), forget):
            return 0
        log.warning("unstarted_job_requeued", job=job.id, queue=queue.name)
        return 1
    if status is not JobStatus.STARTED:  # a leftover entry of a finished job
        redis.zrem(registry.key, entry)
        return 0
    if not job.retries_left:  # let RQ record it as abandoned, visibly
        fail_abandoned(redis, registry, entry)
        return 1
    job.retries_left -= 1  # saved with the job as it is queued
    if not _requeue_at_front(redis, queue, job, ("zrem", registry.key, entry), forget):
        return 0
    log.warning("abandoned_job_requeued", job=job.id, queue=queue.name)
    return 1


# Takes the job from where it was stuck (ARGV[1] 'zrem' or 'lrem' of ARGV[2] from KEYS[1])
# and, only if this call did take it, runs the commands that queue it again: two tickers,
# or a ticker and a worker that was only slow, can never both have it.
_TAKE_THEN_RUN = """
local taken
if ARGV[1] == 'zrem' then
  taken = redis.call('ZREM', KEYS[1], ARGV[2])
else
  taken = redis.call('LREM', KEYS[1], 0, ARGV[2])
end
if taken == 0 then return 0 end
""" + RUN_PACKED_COMMANDS + """
return 1
"""


def _requeue_at_front(redis: Redis, queue: Queue, job: Job, take: tuple[str, str, str],
                      forget: Callable[[Pipeline], object]) -> bool:
    """Atomically: take the job from where it was stuck (`take`: how, key, member); if
    that found it, `forget` its other traces and queue it at the front. False if
    someone else had it already."""
    def write(pipe: Pipeline) -> None:
        forget(pipe)
        enqueue_at_front(queue, job, pipe)

    commands = recorded(redis, write)  # run in the script, after the take
    how, key, member = take
    return int(redis.eval(_TAKE_THEN_RUN, 1, key, how, member,
                          *flatten_commands(commands))) == 1


#: A job a worker took off a queue is in its started registry within milliseconds; one
#: seen only in the queue's intermediate list this long was taken by a worker that died.
DEQUEUED_SECONDS = 5


def _rescue_dequeued(redis: Redis, queue: Queue, registry: StartedJobRegistry) -> int:
    """Requeue jobs a killed worker took off the queue but never registered (RQ's own
    clean-up of its intermediate list waits a minute and runs every ten)."""
    rescued = 0
    intermediate = intermediate_key(queue)
    waiting = list(map(as_text, redis.lrange(intermediate, 0, -1)))
    # Read after the list: a job registered in between is then seen as registered.
    started = {job_id_of(entry) for entry in started_entries(redis, registry)}
    for job_id in waiting:
        seen = keys.dequeued_seen(job_id)
        if job_id in started or redis.set(seen, time.time(), nx=True, ex=3600):
            continue
        if time.time() - float(redis.get(seen) or 0) < DEQUEUED_SECONDS:
            continue
        try:
            job = Job.fetch(job_id, connection=redis, serializer=JSONSerializer)
        except NoSuchJobError:
            job = None
        if job is None or job.get_status() is not JobStatus.QUEUED \
                or redis.lpos(queue.key, job_id) is not None:  # ran, or already back in line
            with redis.pipeline() as pipe:
                pipe.lrem(intermediate, 0, job_id)
                pipe.delete(seen)
                pipe.execute()
            continue

        def forget(pipe: Pipeline, seen: str = seen) -> None:
            pipe.delete(seen)

        if not _requeue_at_front(redis, queue, job,
                                 ("lrem", intermediate, job_id), forget):
            continue  # its worker registered it after all
        log.warning("dequeued_job_requeued", job=job_id, queue=queue.name)
        rescued += 1
    return rescued
