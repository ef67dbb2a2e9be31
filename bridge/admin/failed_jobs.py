"""The failed-jobs view: RQ's FailedJobRegistry per queue, and putting a job back.

The same registries `oabridge jobs failed` / `jobs retry` read. A job lands there
once its retries are used up; requeueing it is safe because every bridge job is
safe to run twice (docs/change-detection.md). Arguments and errors are shown through
`mask_text`: they are ids and exception messages, but an exception may quote a value.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from redis import Redis
from rq.exceptions import InvalidJobOperation, NoSuchJobError
from rq.registry import FailedJobRegistry

from bridge.admin.display import local_time, mask_text
from bridge.queueing.enqueue import JobWriter
from bridge.queueing.jobs import QUEUES_BY_PRIORITY

__all__ = ["FailedJob", "QueueFailures", "failed_count", "failed_jobs", "requeue"]

#: Jobs listed per queue; the page says how many there are.
LIMIT = 100


@dataclass(frozen=True, slots=True)
class FailedJob:
    job_id: str
    function: str
    args: str
    failed_at: str
    error: str


@dataclass(frozen=True, slots=True)
class QueueFailures:
    queue: str
    count: int
    jobs: tuple[FailedJob, ...]


def _registries(redis: Redis) -> dict[str, FailedJobRegistry]:
    writer = JobWriter(redis)
    return {name.value: FailedJobRegistry(queue=writer.queue(name))
            for name in QUEUES_BY_PRIORITY}


def _describe(registry: FailedJobRegistry, job_id: str, tz: ZoneInfo) -> FailedJob | None:
    try:
        job = registry.job_class.fetch(job_id, connection=registry.connection,
                                       serializer=registry.serializer)
    except NoSuchJobError:  # expired between listing and reading
        return None
    result = job.latest_result()
    lines = ((result.exc_string if result else "") or "").strip().splitlines()
    args = ", ".join(repr(arg) for arg in job.args)
    return FailedJob(
        job_id=job_id,
        function=str(job.func_name),
        args=mask_text(args),
        failed_at=_when(job.ended_at, tz),
        error=mask_text(lines[-1]) if lines else "(no error recorded)",
    )


def _when(moment: datetime | None, tz: ZoneInfo) -> str:
    if moment is None:
        return "-"
    if moment.tzinfo is None:  # RQ has stored naive UTC times in some versions
        moment = moment.replace(tzinfo=UTC)
    return local_time(moment, tz)


def failed_jobs(redis: Redis, tz: ZoneInfo) -> list[QueueFailures]:
    """Per queue, in priority order: the newest failed jobs first."""
    found = []
    for name, registry in _registries(redis).items():
        ids = registry.get_job_ids(0, LIMIT - 1, desc=True)
        jobs = (_describe(registry, job_id, tz) for job_id in ids)
        found.append(QueueFailures(name, registry.count,
                                   tuple(job for job in jobs if job is not None)))
    return found


def failed_count(redis: Redis) -> int:
    return sum(int(registry.count) for registry in _registries(redis).values())


def requeue(redis: Redis, queue: str, job_id: str) -> bool:
    """Put one failed job back on its queue; False if it is not (or no longer) failed."""
    registry = _registries(redis).get(queue)
    if registry is None:
        return False
    try:
        registry.requeue(job_id)
    except (InvalidJobOperation, NoSuchJobError):  # retried twice, or expired meanwhile
        return False
    return True
