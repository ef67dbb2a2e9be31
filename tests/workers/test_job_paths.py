"""RQ stores each job's function as a dotted path in Redis: those paths outlive a release.

A job queued (or waiting for its retry, or kept in the failed registry to be requeued by
an operator) before an upgrade is run after it by that same path. So the paths that
have ever been written stay importable, with the arguments they were queued with.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator

import pytest
from redis import Redis
from rq import Queue
from rq.job import Job
from rq.serializers import JSONSerializer

from bridge.queueing.jobs import JOBS

#: Every job path an earlier release wrote into Redis, and the arguments it passed then.
#: Add to this list; never remove from it.
STORED_PATHS: dict[str, tuple[object, ...]] = {
    "workers.sync.sync_appointment": (27041, 1001, "AB12"),
    "workers.sync.forget_customer": (30012010,),
    "workers.sync.poll_agenda": (0,),
    "workers.sync.reconcile_agenda": (0,),
    "workers.replies.handle_reply": ("SM" + "0" * 32,),
    "workers.replies.reconcile_inbound": (),
    "workers.deliver.deliver_message": ("1001:reminder:24h:1767225600",),
    "workers.deliver.deliver_batch": (["1001:reminder:24h:1767225600"],),
}


@pytest.fixture
def queue(redis: Redis) -> Iterator[Queue]:
    queue = Queue("job-paths-test", connection=redis, serializer=JSONSerializer)
    yield queue
    queue.empty()


def test_every_job_today_is_one_that_was_stored_before() -> None:
    assert {spec.function for spec in JOBS.values()} <= set(STORED_PATHS)


@pytest.mark.parametrize("path", sorted(STORED_PATHS))
def test_a_stored_job_resolves_to_a_function_taking_its_arguments(
    queue: Queue, redis: Redis, path: str
) -> None:
    args = STORED_PATHS[path]
    # Written as an earlier release wrote it: by dotted path, JSON arguments.
    queued = queue.enqueue_call(path, args=args)
    job = Job.fetch(queued.id, connection=redis, serializer=JSONSerializer)
    function = job.func  # RQ's own resolution, as a worker does before running it
    assert callable(function), path
    assert f"{function.__module__}.{function.__name__}" == path
    inspect.signature(function).bind(*job.args, **job.kwargs)
