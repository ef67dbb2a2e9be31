"""Cheap guards on the wiring: every job path imports, every queue has a worker."""

from __future__ import annotations

import importlib

from redis import Redis

from bridge.queueing.dequeue import build_worker
from bridge.queueing.jobs import JOBS, QUEUES_BY_PRIORITY, QueueName


def test_every_job_function_imports_from_its_stored_path() -> None:
    for name, spec in JOBS.items():
        module, function = spec.function.rsplit(".", 1)
        assert function == name
        assert callable(getattr(importlib.import_module(module), function))


def test_every_queue_has_a_worker_in_priority_order(redis: Redis) -> None:
    assert set(QUEUES_BY_PRIORITY) == set(QueueName)
    worker = build_worker(redis, simple=True)
    assert worker.queue_names() == ["replies", "poll", "send", "sync"]
    assert {spec.queue for spec in JOBS.values()} <= set(QUEUES_BY_PRIORITY)


def test_jobs_retry_and_time_out() -> None:
    for spec in JOBS.values():
        assert spec.timeout_seconds > 0
        assert spec.retry_intervals and list(spec.retry_intervals) == sorted(spec.retry_intervals)
