"""A worker process killed mid-job, and retries, must not wait for RQ's own schedule.

Found by the chaos soak: RQ notices a dead worker's job only when its heartbeat lapses
and a worker runs maintenance (every ten minutes), and its scheduler process, which
queues retries, dies with its worker and is taken over as late. Replies and reminders
sat that long. The ticker now does both, within seconds.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from redis import Redis
from rq import Queue, Retry, SimpleWorker
from rq.exceptions import DequeueTimeout
from rq.executions import prepare_execution
from rq.job import JobStatus
from rq.registry import FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry
from rq.serializers import JSONSerializer

from bridge.queueing import abandoned
from bridge.queueing.abandoned import keep_alive, requeue_abandoned
from bridge.queueing.dequeue import SafeQueue, SafeSimpleWorker
from bridge.queueing.retries import RetryMover
from bridge.store import keys
from tests.support.waiting import wait_for


def _started_by(redis: Redis, worker_name: str) -> tuple[Queue, str]:
    """A job a worker took from the queue and started (the state SIGKILL leaves)."""
    queue = Queue("sync", connection=redis, serializer=JSONSerializer)
    job = queue.enqueue("builtins.len", "abc", retry=Retry(max=3, interval=[10]))
    worker = SimpleWorker([queue], connection=redis, serializer=JSONSerializer,
                          name=worker_name)
    redis.lrem(queue.key, 0, job.id)  # what RQ's worker does as it takes a job
    prepare_execution(worker, job)
    worker.prepare_job_execution(job)
    assert job.id in StartedJobRegistry(queue=queue).get_job_ids()
    return queue, job.id


def test_the_job_of_a_dead_worker_goes_back_to_the_front_of_its_queue(redis: Redis) -> None:
    redis.sadd(keys.WORKERS, "w-dead")  # it kept an alive key once, now lapsed
    queue, job_id = _started_by(redis, "w-dead")
    waiting = queue.enqueue("builtins.len", "x")

    assert requeue_abandoned(redis) == 1

    assert StartedJobRegistry(queue=queue).get_job_ids() == []
    assert queue.job_ids == [job_id, waiting.id]  # no retry interval: it did not fail
    job = queue.fetch_job(job_id)
    assert job is not None and job.get_status() is JobStatus.QUEUED
    assert job.retries_left == 2  # one of its retries
    assert redis.sismember(keys.WORKERS, "w-dead") == 0
    SimpleWorker([queue], connection=redis, serializer=JSONSerializer).work(burst=True)
    assert job.get_status() is JobStatus.FINISHED


def test_a_dead_workers_job_with_no_retries_left_is_failed_visibly(redis: Redis) -> None:
    redis.sadd(keys.WORKERS, "w-dead")
    queue, job_id = _started_by(redis, "w-dead")
    redis.hset(f"rq:job:{job_id}", "retries_left", 0)

    assert requeue_abandoned(redis) == 1

    assert job_id in FailedJobRegistry(queue=queue).get_job_ids()


def test_the_job_of_a_live_worker_is_left_alone(redis: Redis) -> None:
    stop = threading.Event()
    alive = threading.Thread(target=keep_alive, args=(redis, "w-live", stop))
    alive.start()
    try:
        while not redis.sismember(keys.WORKERS, "w-live"):
            stop.wait(0.01)
        queue, job_id = _started_by(redis, "w-live")
        assert requeue_abandoned(redis) == 0
        assert StartedJobRegistry(queue=queue).get_job_ids() == [job_id]
    finally:
        stop.set()
        alive.join()
    assert not redis.exists(keys.worker_alive("w-live"))  # a clean stop says goodbye


def test_a_live_worker_is_listed_again_after_redis_forgot_it(redis: Redis) -> None:
    """An emptied Redis (#16) loses the list of workers: each beat lists the name again,
    so a job the worker then dies with is handed back by the ticker within seconds."""
    stop = threading.Event()
    alive = threading.Thread(target=keep_alive, args=(redis, "w-forgot", stop),
                             kwargs={"every_seconds": 0.01})
    alive.start()
    try:
        while not redis.sismember(keys.WORKERS, "w-forgot"):
            stop.wait(0.01)
        redis.srem(keys.WORKERS, "w-forgot")  # what FLUSHDB does to it
        redis.delete(keys.worker_alive("w-forgot"))
        wait_for(lambda: bool(redis.sismember(keys.WORKERS, "w-forgot")),
                 "the worker listed again", seconds=5)
        assert redis.exists(keys.worker_alive("w-forgot"))
    finally:
        stop.set()
        alive.join()


def test_a_worker_that_never_kept_an_alive_key_is_left_to_rq(redis: Redis) -> None:
    queue, job_id = _started_by(redis, "an-rq-worker-of-another-kind")
    assert requeue_abandoned(redis) == 0
    assert StartedJobRegistry(queue=queue).get_job_ids() == [job_id]


def test_due_retries_are_queued_without_rqs_scheduler(redis: Redis) -> None:
    queue = Queue("send", connection=redis, serializer=JSONSerializer)
    due = queue.enqueue_at(datetime.now(UTC) - timedelta(seconds=1), "builtins.len", "ab")
    later = queue.enqueue_at(datetime.now(UTC) + timedelta(hours=1), "builtins.len", "abc")

    RetryMover(redis).move_due()

    assert queue.job_ids == [due.id]
    assert ScheduledJobRegistry(queue=queue).get_job_ids() == [later.id]
    SimpleWorker([queue], connection=redis, serializer=JSONSerializer).work(burst=True)
    assert due.get_status() is JobStatus.FINISHED


def test_a_job_taken_off_the_queue_by_a_worker_that_died_is_queued_again(
    redis: Redis,
) -> None:
    # Found by the full soak: a worker killed between taking a job off the queue and
    # starting it left it in RQ's intermediate list; RQ's clean-up of that list runs
    # every ten minutes, and a poll's claim kept every later poll out meanwhile.
    queue = Queue("poll", connection=redis, serializer=JSONSerializer)
    job = queue.enqueue("builtins.len", "abc")
    redis.lmove(queue.key, queue.intermediate_queue_key, "RIGHT", "LEFT")  # as a worker
    assert queue.job_ids == []

    assert requeue_abandoned(redis) == 0  # first sight: a live worker starts it any moment
    seen = keys.dequeued_seen(job.id)
    redis.set(seen, float(redis.get(seen) or 0) - abandoned.DEQUEUED_SECONDS - 1)
    assert requeue_abandoned(redis) == 1

    assert queue.job_ids == [job.id]
    assert redis.llen(queue.intermediate_queue_key) == 0
    SimpleWorker([queue], connection=redis, serializer=JSONSerializer).work(burst=True)
    assert job.get_status() is JobStatus.FINISHED


def _three_queues(redis: Redis) -> list[Queue]:
    return [SafeQueue(name, connection=redis, serializer=JSONSerializer)
            for name in ("replies", "send", "sync")]


def test_a_worker_on_several_queues_holds_a_job_only_where_the_ticker_finds_it(
    redis: Redis,
) -> None:
    # Found by the full soak: RQ takes a job off several queues with BLPOP, so a worker
    # killed before registering it lost it without a trace (two customers' replies).
    queues = _three_queues(redis)
    job = queues[1].enqueue("builtins.len", "abc")
    found = SafeQueue.dequeue_any(queues, None, connection=redis, serializer=JSONSerializer)
    assert found is not None and found[0].id == job.id and found[1].name == "send"
    assert redis.lrange(queues[1].intermediate_queue_key, 0, -1) == [job.id.encode()]

    worker = SafeSimpleWorker(queues, connection=redis, serializer=JSONSerializer)
    worker.prepare_execution(job)  # registered: it leaves the intermediate list
    assert redis.llen(queues[1].intermediate_queue_key) == 0
    assert job.id in StartedJobRegistry(queue=queues[1]).get_job_ids()


def test_a_job_dequeued_from_several_queues_by_a_worker_that_died_runs(redis: Redis) -> None:
    queues = _three_queues(redis)
    job = queues[2].enqueue("builtins.len", "abc")
    assert SafeQueue.dequeue_any(queues, None, connection=redis,
                                 serializer=JSONSerializer) is not None  # then SIGKILL
    assert requeue_abandoned(redis) == 0
    seen = keys.dequeued_seen(job.id)
    redis.set(seen, float(redis.get(seen) or 0) - abandoned.DEQUEUED_SECONDS - 1)
    assert requeue_abandoned(redis) == 1
    assert queues[2].job_ids == [job.id]
    SafeSimpleWorker(queues, connection=redis, serializer=JSONSerializer).work(burst=True)
    assert job.get_status() is JobStatus.FINISHED
    assert all(redis.llen(q.intermediate_queue_key) == 0 for q in queues)


def test_a_job_registered_by_a_worker_killed_before_its_horse_began_runs(redis: Redis) -> None:
    # The worker writes the started registry entry before it forks; the job hash names
    # the worker only once the horse runs. A kill in between left an entry RQ's clean-up
    # dropped as a leftover, and the job with it.
    redis.sadd(keys.WORKERS, "w-dead")
    queues = _three_queues(redis)
    job = queues[0].enqueue("builtins.len", "abc", retry=Retry(max=3, interval=[10]))
    SafeQueue.dequeue_any(queues, None, connection=redis, serializer=JSONSerializer)
    worker = SafeSimpleWorker(queues, connection=redis, serializer=JSONSerializer,
                              name="w-dead")
    worker.prepare_execution(job)  # then SIGKILL, before prepare_job_execution
    assert job.get_status() is JobStatus.QUEUED

    assert requeue_abandoned(redis) == 1

    assert StartedJobRegistry(queue=queues[0]).get_job_ids() == []
    assert queues[0].job_ids == [job.id]
    assert queues[0].fetch_job(job.id).retries_left == 3  # it never ran: no retry spent
    SafeSimpleWorker(queues, connection=redis, serializer=JSONSerializer).work(burst=True)
    assert job.get_status() is JobStatus.FINISHED


def test_an_idle_worker_blocks_briefly_then_sees_every_queue(redis: Redis) -> None:
    queues = _three_queues(redis)
    with pytest.raises(DequeueTimeout):
        SafeQueue.dequeue_any(queues, 1, connection=redis, serializer=JSONSerializer)
    later = queues[2].enqueue("builtins.len", "abc")
    found = SafeQueue.dequeue_any(queues, 1, connection=redis, serializer=JSONSerializer)
    assert found is not None and found[0].id == later.id


def test_a_glimpse_of_a_job_in_passing_never_requeues_it_later(redis: Redis) -> None:
    # Review finding: the ticker's first-seen mark outlived the job's moment in the
    # intermediate list; the same job id (a retry) taken again later looked abandoned
    # at once, and was queued a second time while a live worker ran it.
    queues = _three_queues(redis)
    job = queues[1].enqueue("builtins.len", "abc")
    SafeQueue.dequeue_any(queues, None, connection=redis, serializer=JSONSerializer)
    assert requeue_abandoned(redis) == 0  # the ticker glimpses it
    worker = SafeSimpleWorker(queues, connection=redis, serializer=JSONSerializer)
    worker.prepare_execution(job)
    assert not redis.exists(keys.dequeued_seen(job.id))  # the worker cleared the mark


def test_a_job_taken_back_once_is_not_taken_back_twice(redis: Redis) -> None:
    queues = _three_queues(redis)
    job = queues[2].enqueue("builtins.len", "abc")
    SafeQueue.dequeue_any(queues, None, connection=redis, serializer=JSONSerializer)
    seen = keys.dequeued_seen(job.id)
    redis.set(seen, 1.0)  # long ago
    assert requeue_abandoned(redis) == 1
    redis.set(seen, 1.0)  # a second, slow ticker acting on what it read before
    assert requeue_abandoned(redis) == 0
    assert queues[2].job_ids == [job.id]
