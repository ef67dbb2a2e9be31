"""Every part of RQ below its public API that `bridge.queueing.rq_internals` relies on,
checked against the installed RQ: an upgrade that renames, re-signs or changes one
fails here, naming it, before it loses a job. Each failure says what to re-read in
RQ and where the bridge uses it (`docs/queueing.md` says why).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from redis import Redis
from redis.client import Pipeline
from rq import Queue, Retry, SimpleWorker, Worker
from rq.executions import Execution, prepare_execution
from rq.job import Job, JobStatus
from rq.registry import FailedJobRegistry, StartedJobRegistry
from rq.scheduler import RQScheduler
from rq.serializers import JSONSerializer
from rq.worker import BaseWorker

from bridge.queueing import rq_internals
from bridge.queueing.dequeue import SafeQueue, SafeSimpleWorker, SafeWorker
from bridge.queueing.enqueue import JobWriter
from bridge.queueing.jobs import JOBS
from bridge.queueing.rq_internals import (
    enqueue_at_front,
    fail_abandoned,
    intermediate_key,
    job_id_of,
    job_pending,
    job_status,
    recorded,
    started_entries,
    worker_of,
)


def params(function: Callable[..., Any]) -> list[str]:
    return [name for name in inspect.signature(function).parameters if name != "self"]


def expect_params(owner: type, attribute: str, expected: list[str]) -> None:
    name = f"{owner.__name__}.{attribute}"
    assert callable(getattr(owner, attribute, None)), f"RQ no longer has {name}"
    found = params(getattr(owner, attribute))
    assert found == expected, (
        f"RQ changed the parameters of {name}: {found}, was {expected}. "
        "Re-read it and fix bridge/queueing/rq_internals.py."
    )


def expect_calls(function: Callable[..., Any], name: str, call: str) -> None:
    assert call in inspect.getsource(function), (
        f"RQ's {name} no longer calls `{call}`: the hook in "
        "bridge/queueing/rq_internals.py that relies on it would be skipped."
    )


def queue(redis: Redis, name: str = "sync") -> Queue:
    return Queue(name, connection=redis, serializer=JSONSerializer)


def started(redis: Redis, name: str, retries: bool = True) -> tuple[Queue, Job, str]:
    """A job taken and started by a worker named `name` (the horse's part included)."""
    q = queue(redis)
    job = q.enqueue("builtins.len", "abc", retry=Retry(max=2, interval=[10]) if retries else None)
    worker = SimpleWorker([q], connection=redis, serializer=JSONSerializer, name=name)
    redis.lrem(q.key, 0, job.id)
    prepare_execution(worker, job)
    worker.prepare_job_execution(job)
    (entry,) = started_entries(redis, StartedJobRegistry(queue=q))
    return q, job, entry


# Signatures: each private or internal callable the bridge calls or overrides.

def test_the_signatures_the_bridge_calls_or_overrides() -> None:
    expect_params(Queue, "_fetch_dequeued_job",
                  ["connection", "queue_key", "job_id", "job_class", "serializer",
                   "death_penalty_class"])
    expect_params(Queue, "dequeue_any",
                  ["queues", "timeout", "connection", "job_class", "serializer",
                   "death_penalty_class"])
    assert params(SafeQueue.dequeue_any) == params(Queue.dequeue_any)
    expect_params(Queue, "_enqueue_job", ["job", "pipeline", "at_front", "unique"])
    expect_params(BaseWorker, "prepare_execution", ["job"])
    expect_params(BaseWorker, "procline", ["message"])
    expect_params(StartedJobRegistry, "cleanup", ["timestamp", "exception_handlers"])
    expect_params(RQScheduler, "prepare_registries", ["queue_names"])
    expect_params(RQScheduler, "enqueue_scheduled_jobs", [])
    expect_params(Execution, "__init__", ["id", "job_id", "connection", "worker_name"])


def test_rqs_worker_dequeues_through_its_queue_class_and_prepares_before_it_forks() -> None:
    expect_calls(BaseWorker.dequeue_job_and_maintain_ttl, "Worker.dequeue_job_and_maintain_ttl",
                 "self.queue_class.dequeue_any(")
    expect_calls(BaseWorker.dequeue_job_and_maintain_ttl, "Worker.dequeue_job_and_maintain_ttl",
                 "self.procline(")
    expect_calls(SimpleWorker.execute_job, "SimpleWorker.execute_job", "self.prepare_execution(")
    forking = inspect.getsource(Worker.execute_job)
    assert -1 < forking.find("self.prepare_execution(") < forking.find("self.fork_work_horse("), (
        "Worker.execute_job no longer calls prepare_execution before it forks the horse: "
        "the job would stay in the intermediate list while it runs"
    )
    assert SafeWorker.queue_class is SafeQueue, "Worker.queue_class is no longer RQ's hook"
    assert SafeSimpleWorker.queue_class is SafeQueue


def test_a_worker_takes_its_jobs_through_the_hooks(redis: Redis) -> None:
    calls: list[str] = []

    class Spied(SafeQueue):
        @classmethod
        def move_next(cls, connection: Redis, queues: list[Queue],
                      deadline: float | None) -> tuple[Queue, str] | None:
            calls.append("move_next")
            return super().move_next(connection, queues, deadline)

    class SpiedWorker(SafeSimpleWorker):
        dequeue_class = Spied

        def registered(self, job: Job) -> None:
            calls.append("registered")
            assert job.id in StartedJobRegistry(queue=queue(redis)).get_job_ids(), (
                "Worker.prepare_execution no longer puts the execution in the started registry"
            )
            super().registered(job)

        def title(self, message: str) -> None:
            calls.append("title")

    job = queue(redis).enqueue("builtins.len", "abc")
    worker = SpiedWorker(["replies", "sync"], connection=redis, serializer=JSONSerializer)
    worker.work(burst=True)
    assert job.get_status() is JobStatus.FINISHED
    assert {"move_next", "registered", "title"} <= set(calls), (
        f"RQ's worker skipped a hook (queue_class.dequeue_any, prepare_execution, "
        f"procline): {calls}"
    )
    assert redis.llen(intermediate_key(queue(redis))) == 0


# Behaviour: what each helper reads or writes is what RQ reads or writes.

def test_recording_an_enqueue_yields_rqs_commands_and_runs_none(redis: Redis) -> None:
    commands = JobWriter(redis).commands(JOBS["sync_appointment"], [1, 501, None], "job-1")
    assert redis.dbsize() == 0, "recording on a pipeline (command_stack) ran a command"
    shape = [(str(c[0]), str(c[1])) for c in commands]
    assert shape == [("SADD", "rq:queues"), ("HSET", "rq:job:job-1"), ("HSET", "rq:job:job-1"),
                     ("RPUSH", "rq:queue:sync")], (
        f"Queue.enqueue_call on a pipeline now issues {shape}: check that every command "
        "still runs inside a Lua script (no reads, no MULTI) in bridge/queueing/enqueue.py"
    )
    with redis.pipeline() as pipe:
        for command in commands:
            pipe.execute_command(*command)
        pipe.execute()
    job = Job.fetch("job-1", connection=redis, serializer=JSONSerializer)
    assert job.func_name == "workers.sync.sync_appointment" and job.args == [1, 501, None]
    assert queue(redis).job_ids == ["job-1"]


def test_recorded_is_redis_pys_command_stack(redis: Redis) -> None:
    def write(pipe: Pipeline) -> None:
        pipe.set("a", 1)
        pipe.lrem("b", 0, "c")

    assert recorded(redis, write) == [("SET", "a", 1), ("LREM", "b", 0, "c")]
    assert redis.dbsize() == 0


def test_enqueue_at_front_records_a_push_to_the_front(redis: Redis) -> None:
    q = queue(redis)
    first = q.enqueue("builtins.len", "a")
    job = q.enqueue("builtins.len", "b")
    redis.lrem(q.key, 0, job.id)
    commands = recorded(redis, lambda pipe: enqueue_at_front(q, job, pipe))
    assert commands[-1] == ("LPUSH", q.key, job.id), "Queue._enqueue_job(at_front=True) changed"
    with redis.pipeline() as pipe:
        for command in commands:
            pipe.execute_command(*command)
        pipe.execute()
    assert q.job_ids == [job.id, first.id]


def test_the_intermediate_list_is_where_rqs_own_dequeue_moves_a_job(redis: Redis) -> None:
    q = queue(redis)
    job = q.enqueue("builtins.len", "abc")
    assert intermediate_key(q) == f"{q.key}:intermediate"
    found = Queue.dequeue_any([q], None, connection=redis, serializer=JSONSerializer)
    assert found is not None and found[0].id == job.id
    assert redis.lrange(intermediate_key(q), 0, -1) == [job.id.encode()], (
        "RQ's single-queue dequeue (Queue.lmove) no longer moves into intermediate_queue_key"
    )


def test_a_started_entry_names_its_job_and_worker(redis: Redis) -> None:
    q = queue(redis)
    job = q.enqueue("builtins.len", "abc")
    worker = SimpleWorker([q], connection=redis, serializer=JSONSerializer, name="w-1")
    prepare_execution(worker, job)  # the worker's part: the horse has not begun
    (entry,) = started_entries(redis, StartedJobRegistry(queue=q))
    assert job_id_of(entry) == job.id, f"started registry members are not job:execution: {entry}"
    assert worker_of(redis, entry) == "w-1", "the execution hash no longer has worker_name"
    assert job_status(redis, job.id) == "queued"
    worker.prepare_job_execution(job)  # the horse's part
    redis.delete(Execution(entry.partition(":")[2], job.id, connection=redis).key)
    assert worker_of(redis, entry) == "w-1", "the job hash no longer has worker_name"
    assert job_status(redis, job.id) == "started", "the job hash's status field changed"


def test_fail_abandoned_touches_that_entry_and_no_other(redis: Redis) -> None:
    q, job, entry = started(redis, "w-dead", retries=False)
    other = q.enqueue("builtins.len", "other")
    worker = SimpleWorker([q], connection=redis, serializer=JSONSerializer, name="w-live")
    prepare_execution(worker, other)
    fail_abandoned(redis, StartedJobRegistry(queue=q), entry)
    assert FailedJobRegistry(queue=q).get_job_ids() == [job.id], (
        "StartedJobRegistry.cleanup(timestamp=...) no longer fails the entries scored below it"
    )
    assert [job_id_of(e) for e in started_entries(redis, StartedJobRegistry(queue=q))] == [
        other.id]


def test_the_statuses_a_pending_job_has(redis: Redis) -> None:
    assert {status.value for status in JobStatus} >= rq_internals.PENDING_STATUSES, (
        "JobStatus lost a status job_pending counts on"
    )
    q = queue(redis)
    waiting = q.enqueue("builtins.len", "a")
    later = q.enqueue_at(datetime.now(UTC) + timedelta(hours=1), "builtins.len", "b")
    deferred = q.enqueue("builtins.len", "c", depends_on=waiting)
    assert job_status(redis, deferred.id) == "deferred"
    assert job_pending(redis, waiting.id) and job_pending(redis, later.id)
    assert job_pending(redis, deferred.id)
    assert not job_pending(redis, "no-such-job")
    SimpleWorker([q], connection=redis, serializer=JSONSerializer).work(burst=True)
    assert not job_pending(redis, waiting.id)


def test_due_retries_move_with_rqs_scheduler_code(redis: Redis) -> None:
    q = queue(redis, "send")
    due = q.enqueue_at(datetime.now(UTC) - timedelta(seconds=1), "builtins.len", "ab")
    rq_internals.due_retry_mover(redis, ["send"])()
    assert q.job_ids == [due.id], "RQScheduler.enqueue_scheduled_jobs no longer queues due jobs"

