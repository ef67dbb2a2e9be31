"""Every use of RQ's private or internal parts, in one place (rq is pinned `>=3.0,<3.1`).

The bridge needs more of RQ than its public API offers: a dequeue that never holds a
job only in a worker's memory, RQ's own enqueue commands run inside our Lua scripts, a
started job's worker read from Redis, retries moved without RQ's scheduler process.
Each such reliance is one function or hook class here, and nothing else in the bridge
touches RQ below its public API. `tests/queueing/test_rq_internals.py` checks each
against the installed RQ, so an upgrade that changes one fails there, by name, and not
as a lost job in production. Why each is needed: `docs/queueing.md`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from typing import Any, ClassVar

from redis import Redis
from redis.client import Pipeline
from rq import Queue
from rq.exceptions import DequeueTimeout
from rq.executions import Execution
from rq.job import Job
from rq.registry import StartedJobRegistry
from rq.scheduler import RQScheduler
from rq.serializers import JSONSerializer

from bridge.store.text import as_text

__all__ = [
    "PENDING_STATUSES", "HookedQueue", "HookedWorker", "due_retry_mover", "enqueue_at_front",
    "fail_abandoned", "intermediate_key", "job_id_of", "job_pending", "job_status",
    "recorded", "started_entries", "worker_of",
]

#: A job hash's `status` while RQ still means to run it: queueing it again would run it
#: twice at once.
PENDING_STATUSES = frozenset({"queued", "started", "scheduled", "deferred"})


def recorded(redis: Redis, write: Callable[[Pipeline], object]) -> list[tuple[Any, ...]]:
    """The Redis commands `write` issues on a pipeline that is never executed (redis-py's
    `Pipeline.command_stack`): RQ's own commands, to run inside our Lua scripts."""
    pipe = redis.pipeline(transaction=False)
    write(pipe)
    commands = [tuple(args) for args, _options in pipe.command_stack]
    pipe.reset()
    return commands


def enqueue_at_front(queue: Queue, job: Job, pipe: Pipeline) -> None:
    """Queue an existing job again, at the front, on `pipe` (RQ's private
    `Queue._enqueue_job`, which its own requeue and scheduler use)."""
    queue._enqueue_job(job, pipeline=pipe, at_front=True)


def intermediate_key(queue: Queue) -> str:
    """The list RQ's single-queue dequeue moves a job into (BLMOVE) until it is started,
    and where its maintenance looks for jobs stuck between the two."""
    return str(queue.intermediate_queue_key)


def started_entries(redis: Redis, registry: StartedJobRegistry) -> list[str]:
    """The started registry's raw members, `<job id>:<execution id>`, read without the
    clean-up that RQ's own `get_job_ids` runs first."""
    return [as_text(entry) for entry in redis.zrange(registry.key, 0, -1)]


def job_id_of(entry: str) -> str:
    """The job id of a started registry member."""
    return entry.partition(":")[0]


def worker_of(redis: Redis, entry: str) -> str:
    """The worker running a started registry member: the execution hash names it from the
    start, the job hash (field `worker_name`) only once the forked horse has begun."""
    job_id, _, execution_id = entry.partition(":")
    name = None
    if execution_id:
        name = redis.hget(Execution(execution_id, job_id, connection=redis).key, "worker_name")
    return as_text(name or redis.hget(Job.key_for(job_id), "worker_name") or b"")


def fail_abandoned(redis: Redis, registry: StartedJobRegistry, entry: str) -> None:
    """Let RQ record one started job as abandoned (failed, or retried by RQ): score the
    entry 1 and run RQ's clean-up up to 2, which touches that entry and no other."""
    redis.zadd(registry.key, {entry: 1}, xx=True)
    registry.cleanup(timestamp=2)


def job_status(redis: Redis, job_id: str) -> str:
    """The job hash's `status` field ('' without a hash), read without loading the job."""
    return as_text(redis.hget(Job.key_for(job_id), "status") or b"")


def job_pending(redis: Redis, job_id: str) -> bool:
    """Whether RQ still holds this job to run (queued, running, waiting to retry or on
    another job): queueing it again would overwrite it and run it twice at once."""
    return job_status(redis, job_id) in PENDING_STATUSES


def due_retry_mover(redis: Redis, queue_names: Iterable[str]) -> Callable[[], None]:
    """A call that queues every scheduled job whose time has come, with the code of RQ's
    scheduler but not its process or locks (`RQScheduler.prepare_registries` and
    `enqueue_scheduled_jobs`)."""
    names = list(queue_names)
    scheduler = RQScheduler(names, connection=redis, serializer=JSONSerializer,
                            logging_level=logging.WARNING)
    scheduler.prepare_registries(names)

    def move_due() -> None:
        scheduler.enqueue_scheduled_jobs()  # type: ignore[no-untyped-call]

    return move_due


class HookedQueue(Queue):
    """A queue class whose `dequeue_any`, which RQ's worker calls on its `queue_class`,
    takes each job with `move_next` and then loads it as RQ would
    (`Queue._fetch_dequeued_job`)."""

    @classmethod
    def move_next(cls, connection: Redis, queues: list[Queue],
                  deadline: float | None) -> tuple[Queue, str] | None:
        """Move the next job id into its queue's intermediate list; wait until the
        monotonic `deadline` (None: do not wait). None if there was none."""
        raise NotImplementedError

    @classmethod
    def dequeue_any(
        cls,
        queues: Iterable[Queue],
        timeout: int | None,
        connection: Redis,
        job_class: type[Job] | None = None,
        serializer: Any = None,
        death_penalty_class: Any = None,
    ) -> tuple[Job, Queue] | None:
        ordered = list(queues)
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            taken = cls.move_next(connection, ordered, deadline)
            if taken is None:
                if timeout is None:
                    return None
                raise DequeueTimeout(timeout, [queue.key for queue in ordered])
            queue, job_id = taken
            found = cls._fetch_dequeued_job(connection, queue.key, job_id, job_class=job_class,
                                            serializer=serializer,
                                            death_penalty_class=death_penalty_class)
            if found is not None:
                return found
            connection.lrem(intermediate_key(queue), 1, job_id)  # its hash expired


class HookedWorker:
    """Mixin for RQ's `Worker` and `SimpleWorker`: dequeue through `dequeue_class` (set as
    RQ's `queue_class`), call `registered` once RQ's `prepare_execution` has put the
    execution in the started registry (in the worker's own process, before any fork),
    and `title` where RQ's `procline` would set the process title."""

    dequeue_class: ClassVar[type[HookedQueue]] = HookedQueue
    queue_class: type[Queue]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.queue_class = cls.dequeue_class

    def registered(self, job: Job) -> None:
        """The job's execution is in the started registry."""

    def title(self, message: str) -> None:
        """Show what the worker is doing (RQ: `rq:worker:<name>: <message>`)."""

    def prepare_execution(self, job: Job) -> Execution:
        execution: Execution = super().prepare_execution(job)  # type: ignore[misc]
        self.registered(job)
        return execution

    def procline(self, message: str) -> None:
        self.title(message)
