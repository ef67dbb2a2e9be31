"""Retries follow the error classes: a permanent error fails its job at once, visibly,
in RQ's failed registry; a transient one (or one of no class of ours) keeps RQ's
retries. Checked on the decision itself and on a real RQ worker."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from redis import ConnectionError as RedisConnectionError
from redis import Redis
from rq.job import Job
from rq.registry import FailedJobRegistry, ScheduledJobRegistry
from rq.serializers import JSONSerializer

from bridge.booking import (
    BookingApiError,
    BookingAuthError,
    BookingNotFoundError,
    BookingProtocolError,
    BookingTransportError,
)
from bridge.outbound.errors import OptedOutError, PermanentSendError, TransientSendError
from bridge.queueing.dequeue import build_worker
from bridge.queueing.enqueue import JobWriter
from bridge.queueing.jobs import JobSpec, QueueName
from bridge.rendering import RenderError
from bridge.settings import load_settings
from bridge.store.counters import Counters
from tests.support.asgi_server import free_port
from workers import runtime
from workers.runtime import Runtime, RuntimeNotInstalled
from workers.tracing import permanent, traced

PERMANENT = [
    BookingAuthError("getAppointments", "1", "Invalid api key"),
    BookingApiError("cancelAppointment", None, "Too late to cancel"),
    BookingNotFoundError("getAppointment", None, "Appointment not found"),
    BookingProtocolError("not XML"),
    RenderError("nl/reminder.sms.j2", "'nickname' is undefined", 3),
    PermanentSendError("invalid number", 21211),
    OptedOutError("unsubscribed recipient", 21610, "+31612345678"),
]
TRANSIENT = [
    BookingTransportError("timed out"),
    TransientSendError("too many requests", 20429),
    RedisConnectionError("Redis went away"),
    RuntimeError("a bug a retry may outlive"),
]


@pytest.mark.parametrize("exc", PERMANENT, ids=lambda e: type(e).__name__)
def test_permanent_errors_are_not_retried(exc: Exception) -> None:
    assert permanent(exc)


@pytest.mark.parametrize("exc", TRANSIENT, ids=lambda e: type(e).__name__)
def test_transient_and_unknown_errors_keep_their_retries(exc: Exception) -> None:
    assert not permanent(exc)


@traced
def refused_by_the_api() -> None:
    raise BookingAuthError("getAppointments", "1", "Invalid api key")


@traced
def api_unreachable() -> None:
    raise BookingTransportError("timed out")


@traced
def broken_template() -> None:
    raise RenderError("nl/reminder.sms.j2", "'nickname' is undefined", 3)


@pytest.fixture
def installed(redis_url: str) -> Iterator[Runtime]:
    rt = Runtime.from_settings(load_settings({
        "OABRIDGE_REDIS_URL": redis_url,
        "OABRIDGE_API_URL": f"http://127.0.0.1:{free_port()}/APIREST",  # nothing listens
        "OABRIDGE_API_KEY": "tracingtest-abcdef",
        "OABRIDGE_API_SECRET": "s3cr3t-value",
    }))
    runtime.install(rt)
    yield rt
    runtime.install(None)
    rt.close()


def _run(redis: Redis, function: str, job_id: str) -> Job:
    """Queue `function` with three retries and let a real worker run it once."""
    spec = JobSpec(f"{__name__}.{function}", QueueName.SYNC, 30, (60, 120, 300))
    JobWriter(redis).enqueue(spec, [], job_id)
    build_worker(redis, simple=True).work(burst=True, logging_level="CRITICAL")
    return Job.fetch(job_id, connection=redis, serializer=JSONSerializer)


def _failed(redis: Redis) -> list[str]:
    queue = JobWriter(redis).queue(QueueName.SYNC)
    return FailedJobRegistry(queue=queue).get_job_ids()


@pytest.mark.parametrize(("function", "error"), [
    ("refused_by_the_api", "BookingAuthError"),
    ("broken_template", "nl/reminder.sms.j2, line 3: 'nickname' is undefined"),
])
def test_a_permanent_error_goes_straight_to_the_failed_registry_with_its_error(
    redis: Redis, installed: Runtime, function: str, error: str
) -> None:
    job = _run(redis, function, f"permanent-{function}")
    assert job.get_status() == "failed"
    assert _failed(redis) == [job.id]
    assert error in (job.latest_result().exc_string or "")  # type: ignore[union-attr]
    scheduled = ScheduledJobRegistry(queue=JobWriter(redis).queue(QueueName.SYNC))
    assert scheduled.get_job_ids() == []


def test_a_transient_error_waits_for_its_retry(redis: Redis, installed: Runtime) -> None:
    job = _run(redis, "api_unreachable", "transient")
    assert job.get_status() == "scheduled" and job.retries_left == 2
    assert _failed(redis) == []


def test_booking_errors_are_counted_either_way(redis: Redis, installed: Runtime) -> None:
    _run(redis, "refused_by_the_api", "counted-1")
    _run(redis, "api_unreachable", "counted-2")
    assert Counters(redis).upstream_errors() == {"BookingAuthError": 1,
                                                 "BookingTransportError": 1}


def test_a_job_without_an_installed_runtime_fails_clearly() -> None:
    runtime.install(None)
    with pytest.raises(RuntimeNotInstalled, match="install"):
        runtime.current()
