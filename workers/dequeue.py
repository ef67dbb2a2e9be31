"""Taking jobs off several queues without a moment in which a killed worker loses one.

RQ takes a job off a single queue with LMOVE into that queue's intermediate list, but
off several queues (ours, in priority order) with BLPOP: from then until the job is in
the started registry it lives only in the worker's memory, and a SIGKILL in between
loses it for good (the chaos soak lost replies so). And the started registry entry
is written by the worker before it forks, while the job hash names its worker only
once the forked horse runs: a kill in that moment leaves an entry RQ's clean-up
drops as a leftover.

So here every dequeue is an LMOVE into the job's own queue's intermediate list, the
queues tried in priority order; with all of them empty the worker waits briefly on
the first (replies come at once, the rest within `WAIT_SECONDS`). Once the execution
is in the started registry the job leaves the intermediate list. Between the two
steps the ticker finds the job in one place or the other (`workers.abandoned`).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from redis import Redis
from rq import Queue, SimpleWorker, Worker
from rq.exceptions import DequeueTimeout
from rq.executions import Execution
from rq.job import Job

from bridge.observability.proctitle import set_title
from bridge.store import keys
from bridge.store.text import as_text

__all__ = ["WAIT_SECONDS", "SafeQueue", "SafeSimpleWorker", "SafeWorker"]

#: How long an idle worker blocks on its first queue before looking at the others.
WAIT_SECONDS = 0.2


class SafeQueue(Queue):
    """A queue class whose `dequeue_any` always moves the job into an intermediate list."""

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
            for queue in ordered:
                taken = connection.lmove(queue.key, queue.intermediate_queue_key, "LEFT", "RIGHT")
                found = cls._found(connection, queue, taken, job_class, serializer,
                                   death_penalty_class)
                if found is not None:
                    return found
            if deadline is None:
                return None
            left = deadline - time.monotonic()
            if left <= 0:
                raise DequeueTimeout(timeout, [q.key for q in ordered])
            first = ordered[0]
            wait = min(left, WAIT_SECONDS)  # Redis takes decimal timeouts (6.0 and later)
            taken = connection.blmove(first.key, first.intermediate_queue_key,
                                      wait, "LEFT", "RIGHT")  # type: ignore[arg-type]
            found = cls._found(connection, first, taken, job_class, serializer,
                               death_penalty_class)
            if found is not None:
                return found

    @classmethod
    def _found(cls, connection: Redis, queue: Queue, taken: Any, job_class: type[Job] | None,
               serializer: Any, death_penalty_class: Any) -> tuple[Job, Queue] | None:
        if taken is None:
            return None
        job_id = as_text(taken)
        found = cls._fetch_dequeued_job(connection, queue.key, job_id, job_class=job_class,
                                        serializer=serializer,
                                        death_penalty_class=death_penalty_class)
        if found is None:  # its hash expired: nothing to run
            connection.lrem(queue.intermediate_queue_key, 1, job_id)
        return found


class _LeavesIntermediate:
    """Worker mixin: once the execution is registered, the job leaves the intermediate
    list (RQ does this itself only for a worker on a single queue)."""

    def prepare_execution(self, job: Job) -> Execution:
        execution: Execution = super().prepare_execution(job)  # type: ignore[misc]
        intermediate = Queue(job.origin, connection=job.connection).intermediate_queue_key
        with job.connection.pipeline() as pipe:
            pipe.lrem(intermediate, 1, job.id)
            pipe.delete(keys.dequeued_seen(job.id))  # the ticker may have glimpsed it
            pipe.execute()
        return execution


class _Titled:
    """Worker mixin: `ps` shows `oabridge: worker: <what RQ is doing>`, not `rq:worker:…`."""

    def procline(self, message: str) -> None:
        set_title(f"oabridge: worker: {message}")


class SafeWorker(_Titled, _LeavesIntermediate, Worker):
    queue_class = SafeQueue


class SafeSimpleWorker(_Titled, _LeavesIntermediate, SimpleWorker):
    queue_class = SafeQueue
