"""Taking jobs off several queues without a moment in which a killed worker loses one.

RQ takes a job off a single queue with LMOVE into that queue's intermediate list, but
off several queues (ours, in priority order) with BLPOP: from then until the job is in
the started registry it lives only in the worker's memory, and a SIGKILL in between
loses it for good (the chaos soak lost replies so; RQ's open issue #1716). And the
started registry entry is written by the worker before it forks, while the job hash
names its worker only once the forked horse runs: a kill in that moment leaves an
entry RQ's clean-up drops as a leftover.

So here every dequeue is an LMOVE into the job's own queue's intermediate list, the
queues tried in priority order; with all of them empty the worker waits briefly on
the first (replies come at once, the rest within `WAIT_SECONDS`). Once the execution
is in the started registry the job leaves the intermediate list. Between the two
steps the ticker finds the job in one place or the other (`bridge.queueing.abandoned`).
The hooks into RQ's worker are in `bridge.queueing.rq_internals`; why several queues
per worker and not one: `docs/queueing.md`.
"""

from __future__ import annotations

import time

from redis import Redis
from rq import Queue, SimpleWorker, Worker
from rq.job import Job
from rq.serializers import JSONSerializer

from bridge.observability.proctitle import set_title
from bridge.queueing.jobs import QUEUES_BY_PRIORITY
from bridge.queueing.rq_internals import HookedQueue, HookedWorker, intermediate_key
from bridge.store import keys
from bridge.store.text import as_text

__all__ = ["WAIT_SECONDS", "SafeQueue", "SafeSimpleWorker", "SafeWorker", "build_worker"]

#: How long an idle worker blocks on its first queue before looking at the others.
WAIT_SECONDS = 0.2


class SafeQueue(HookedQueue):
    """A queue class whose dequeue always moves the job into an intermediate list."""

    @classmethod
    def move_next(cls, connection: Redis, queues: list[Queue],
                  deadline: float | None) -> tuple[Queue, str] | None:
        while True:
            for queue in queues:
                taken = connection.lmove(queue.key, intermediate_key(queue), "LEFT", "RIGHT")
                if taken is not None:
                    return queue, as_text(taken)
            if deadline is None:
                return None
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            first = queues[0]
            wait = min(left, WAIT_SECONDS)  # Redis takes decimal timeouts (6.0 and later)
            taken = connection.blmove(first.key, intermediate_key(first),
                                      wait, "LEFT", "RIGHT")  # type: ignore[arg-type]
            if taken is not None:
                return first, as_text(taken)


class _Safe(HookedWorker):
    """Once the execution is registered, the job leaves the intermediate list (RQ does
    this itself only for a worker on a single queue, and only in the horse); `ps`
    shows `oabridge: worker: <what RQ is doing>`, not `rq:worker:…`."""

    dequeue_class = SafeQueue

    def registered(self, job: Job) -> None:
        intermediate = intermediate_key(Queue(job.origin, connection=job.connection))
        with job.connection.pipeline() as pipe:
            pipe.lrem(intermediate, 1, job.id)
            pipe.delete(keys.dequeued_seen(job.id))  # the ticker may have glimpsed it
            pipe.execute()

    def title(self, message: str) -> None:
        set_title(f"oabridge: worker: {message}")


class SafeWorker(_Safe, Worker):
    pass


class SafeSimpleWorker(_Safe, SimpleWorker):
    pass


def build_worker(redis: Redis, *, simple: bool = False, name: str | None = None) -> Worker:
    """An RQ worker on the bridge's queues in priority order (simple: jobs run
    in-process, no fork), which never holds a job where a SIGKILL would lose it."""
    worker_class: type[Worker] = (
        SafeSimpleWorker if simple else SafeWorker  # type: ignore[assignment]
    )
    return worker_class(
        [queue.value for queue in QUEUES_BY_PRIORITY],
        connection=redis,
        serializer=JSONSerializer,
        name=name,
    )
