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

A worker told to stop (SIGTERM: RQ's warm shutdown, which waits for the job in hand)
does not wait for a job that only reads and plans (`INTERRUPTIBLE`: the poll and sync
queues, safe to run again): its process gets `STOP_SIGNAL`, which abandons its
booking-API call at once (`Stopping.abort`, `BookingCallAborted`), so the job fails
and RQ retries it, or keeps it in the failed registry once its retries are spent. If
it is still running `Stopping.grace_seconds` later, its process is killed, with the
same outcome (RQ: "work-horse terminated unexpectedly"). A send or a reply runs to its
end, within its job timeout. Each job also runs under its own kind's timeout
(`timeouts`, from `bridge.queueing.jobs.job_timeouts`).

A worker that forks (`SafeWorker`) runs no thread of its own, not even RQ's pubsub
listener for remote commands (`rq` CLI's shutdown, kill-horse, stop-job: the bridge
sends none): a fork beside threads can copy a lock another thread held, and the horse
then waits on it for ever (one did so for two hours in the soak, issue #16). Its work
horse dies with it (`bridge.queueing.parent_death`). The ticker, relay and alive key
run in another process (`workers/process.py`).
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

import structlog
from redis import Redis
from rq import Queue, SimpleWorker, Worker
from rq.executions import Execution
from rq.job import Job
from rq.serializers import JSONSerializer

from bridge.observability.proctitle import set_title
from bridge.queueing.jobs import QUEUES_BY_PRIORITY, QueueName
from bridge.queueing.parent_death import die_with_parent
from bridge.queueing.rq_internals import HookedQueue, HookedWorker, intermediate_key
from bridge.store import keys
from bridge.store.text import as_text

__all__ = ["INTERRUPTIBLE", "STOP_SIGNAL", "WAIT_SECONDS", "SafeQueue", "SafeSimpleWorker",
           "SafeWorker", "Stopping", "build_worker"]

log = structlog.get_logger(__name__)

#: How long an idle worker blocks on its first queue before looking at the others.
WAIT_SECONDS = 0.2
#: What the worker sends its work horse to abandon the job in hand.
STOP_SIGNAL = signal.SIGUSR1
#: Queues whose jobs only read and plan, so a stopping worker cuts them short.
INTERRUPTIBLE = frozenset({QueueName.POLL.value, QueueName.SYNC.value})


def _no_abort() -> None:
    """Without a booking client to abort, the grace period's kill alone applies."""


@dataclass(frozen=True, slots=True)
class Stopping:
    """What a worker told to stop does to an interruptible job in hand."""

    #: Abandons the booking-API call in the process running the job (must be safe to
    #: call from any thread).
    abort: Callable[[], None] = _no_abort
    #: How long the job may still run before its process is killed.
    grace_seconds: float = 30.0
    #: Each job kind's timeout by function path (`jobs.job_timeouts`); others keep theirs.
    timeouts: Mapping[str, int] = field(default_factory=dict)


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
    stopping: Stopping = Stopping()
    _in_hand: Job | None = None

    def prepare_execution(self, job: Job) -> Execution:
        # Before RQ registers the execution (its heartbeat TTL) and forks: the work
        # horse's death penalty and this process's watch of it read the timeout here.
        job.timeout = self.stopping.timeouts.get(job.func_name or "", job.timeout)
        return super().prepare_execution(job)

    def registered(self, job: Job) -> None:
        intermediate = intermediate_key(Queue(job.origin, connection=job.connection))
        with job.connection.pipeline() as pipe:
            pipe.lrem(intermediate, 1, job.id)
            pipe.delete(keys.dequeued_seen(job.id))  # the ticker may have glimpsed it
            pipe.execute()

    def title(self, message: str) -> None:
        set_title(f"oabridge: worker: {message}")

    def execute_job(self, job: Job, queue: Queue) -> None:
        self._in_hand = job
        try:
            super().execute_job(job, queue)  # type: ignore[misc]
        finally:
            self._in_hand = None

    def request_stop(self, signum: int, frame: FrameType | None) -> None:
        """SIGTERM: cut an interruptible job in hand short, then RQ's warm shutdown."""
        job = self._in_hand
        if job is not None and job.origin in INTERRUPTIBLE:
            log.warning("worker_stopping_job", job=job.func_name, job_id=job.id,
                        grace_s=self.stopping.grace_seconds)
            self.stop_job_in_hand()
        super().request_stop(signum, frame)  # type: ignore[misc]

    def stop_job_in_hand(self) -> None:
        """Abandon the running job's booking-API call (in this process: no fork)."""
        _in_a_thread(self.stopping.abort)

    def setup_work_horse_signals(self) -> None:
        super().setup_work_horse_signals()  # type: ignore[misc]
        signal.signal(STOP_SIGNAL, lambda _signum, _frame: _in_a_thread(self.stopping.abort))


def _in_a_thread(action: Callable[[], None]) -> None:
    """Run `action` beside a signal handler, never inside it: a handler that takes a lock
    the interrupted code holds would wait for ever."""
    threading.Thread(target=action, name="stop-job", daemon=True).start()


class SafeWorker(_Safe, Worker):
    """Runs each job in a forked work horse, which a stopping worker signals and, past
    the grace period, kills, and which dies with it. Starts no thread before a fork."""

    _forker: int = 0

    def subscribe(self) -> None:
        """No pubsub thread for RQ's remote commands (RQ starts one in `bootstrap`)."""

    def execute_job(self, job: Job, queue: Queue) -> None:
        self._forker = os.getpid()  # before the fork: the horse's parent
        super().execute_job(job, queue)

    def setup_work_horse_signals(self) -> None:
        super().setup_work_horse_signals()
        die_with_parent(self._forker)

    def stop_job_in_hand(self) -> None:
        horse = self.horse_pid
        if not horse:
            return
        try:
            os.kill(horse, STOP_SIGNAL)
        except ProcessLookupError:  # it has just finished
            return
        timer = threading.Timer(self.stopping.grace_seconds, self._kill_if_running, (horse,))
        timer.daemon = True
        timer.start()

    def _kill_if_running(self, horse: int) -> None:
        if self.horse_pid == horse:
            log.warning("worker_killing_job", horse=horse, grace_s=self.stopping.grace_seconds)
            self.kill_horse()


class SafeSimpleWorker(_Safe, SimpleWorker):
    pass


def build_worker(redis: Redis, *, simple: bool = False, name: str | None = None,
                 stopping: Stopping | None = None) -> Worker:
    """An RQ worker on the bridge's queues in priority order (simple: jobs run
    in-process, no fork), which never holds a job where a SIGKILL would lose it, and
    stops as `stopping` says."""
    worker_class: type[Any] = SafeSimpleWorker if simple else SafeWorker
    worker: Worker = worker_class(
        [queue.value for queue in QUEUES_BY_PRIORITY],
        connection=redis,
        serializer=JSONSerializer,
        name=name,
    )
    if stopping is not None:
        worker.stopping = stopping  # type: ignore[attr-defined]
    return worker
