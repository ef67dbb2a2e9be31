"""A worker's job limits: each kind's timeout at the worker's API timeout, and a job in
hand that ignores the stop is killed once the grace period is over."""

from __future__ import annotations

import inspect
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from redis import Redis
from rq.job import Job
from rq.registry import FailedJobRegistry
from rq.serializers import JSONSerializer

from bridge.booking import RetryPolicy
from bridge.queueing.dequeue import Stopping, build_worker
from bridge.queueing.enqueue import JobWriter
from bridge.queueing.jobs import DEFAULT_CALL_BUDGET, JOBS, JobSpec, QueueName, job_timeouts
from bridge.settings import Settings
from tests.support.waiting import wait_for

OWN_TIMEOUT = JobSpec("tests.queueing.stubborn_jobs.own_timeout", QueueName.SYNC, 30, ())
STUBBORN = JobSpec("tests.queueing.stubborn_jobs.stubborn", QueueName.SYNC, 30, ())

WORKER = """
import signal, sys
from redis import Redis
from bridge.queueing.dequeue import STOP_SIGNAL, Stopping, build_worker
signal.signal(STOP_SIGNAL, signal.SIG_IGN)
worker = build_worker(Redis.from_url(sys.argv[1]), stopping=Stopping(grace_seconds=1.0))
worker.work(with_scheduler=False, logging_level="ERROR")
"""



def test_the_default_call_budget_is_the_clients() -> None:
    assert Settings().api_timeout == 10.0
    assert RetryPolicy().call_budget(10.0) == DEFAULT_CALL_BUDGET


def test_each_kind_has_room_for_its_booking_calls() -> None:
    short, long = job_timeouts(RetryPolicy().call_budget(2.0)), job_timeouts(DEFAULT_CALL_BUDGET)
    for spec in JOBS.values():
        assert long[spec.function] == spec.timeout_seconds
        assert long[spec.function] >= spec.work_seconds + spec.api_calls * DEFAULT_CALL_BUDGET
        assert short[spec.function] <= long[spec.function]


def test_a_worker_runs_each_job_under_its_kinds_timeout(redis: Redis) -> None:
    JobWriter(redis).enqueue(OWN_TIMEOUT, [], "own-timeout")
    stopping = Stopping(timeouts={OWN_TIMEOUT.function: 77})
    build_worker(redis, simple=True, stopping=stopping).work(burst=True, logging_level="ERROR")
    job = Job.fetch("own-timeout", connection=redis, serializer=JSONSerializer)
    assert job.return_value() == 77


@pytest.mark.slow
def test_a_job_that_ignores_the_stop_is_killed_after_the_grace_period(
    redis: Redis, redis_url: str
) -> None:
    JobWriter(redis).enqueue(STUBBORN, [], "stubborn")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    worker = subprocess.Popen([sys.executable, "-c", WORKER, redis_url], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        def started() -> bool:
            job = Job.fetch("stubborn", connection=redis, serializer=JSONSerializer)
            return bool(job.get_status().value == "started")

        wait_for(started, "the stubborn job to start")
        worker.send_signal(signal.SIGTERM)
        _, errors = worker.communicate(timeout=20)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.communicate()
    assert worker.returncode == 0, errors.decode()[-2000:]
    assert "stubborn" in FailedJobRegistry(QueueName.SYNC.value, connection=redis)


def test_the_rq_worker_methods_the_stop_overrides_are_still_there() -> None:
    """`bridge.queueing.dequeue` overrides these of RQ's worker (rq is pinned >=3.0,<3.1)."""
    from rq import SimpleWorker, Worker

    for worker_class in (Worker, SimpleWorker):
        for method, params in {"request_stop": ["self", "signum", "frame"],
                               "execute_job": ["self", "job", "queue"],
                               "prepare_execution": ["self", "job"],
                               "setup_work_horse_signals": ["self"]}.items():
            assert list(inspect.signature(getattr(worker_class, method)).parameters) == params
    assert isinstance(inspect.getattr_static(Worker, "horse_pid"), property)
    assert list(inspect.signature(Worker.kill_horse).parameters) == ["self", "sig"]
