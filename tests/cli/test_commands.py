"""The operator commands: config, poll, jobs failed / jobs retry."""

from __future__ import annotations

import pytest
from redis import Redis
from rq import Queue
from rq.registry import FailedJobRegistry
from rq.serializers import JSONSerializer

from bridge.cli.main import main
from bridge.queueing.dequeue import build_worker
from bridge.queueing.enqueue import JobWriter
from bridge.queueing.jobs import JOBS, JobSpec
from bridge.settings import load_settings
from tests.support.asgi_server import free_port
from workers import runtime
from workers.runtime import Runtime


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, redis_url: str) -> dict[str, str]:
    values = {
        "OABRIDGE_REDIS_URL": redis_url,
        "OABRIDGE_API_URL": f"http://127.0.0.1:{free_port()}/APIREST",  # nothing listens
        "OABRIDGE_API_KEY": "clitests0000-abcdef",
        "OABRIDGE_API_SECRET": "s3cr3t-value-of-the-cli-tests",
        "OABRIDGE_API_TIMEOUT": "0.5",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


def test_config_masks_secrets(env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config"]) == 0
    out = capsys.readouterr().out
    assert "OABRIDGE_API_KEY" in out and "clitests0000-abcdef" in out
    assert "s3cr3t" not in out and "****" in out


def test_a_bad_setting_stops_with_one_line(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OABRIDGE_POLL_INTERVAL", "often")
    assert main(["config"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "OABRIDGE_POLL_INTERVAL" in err[0]


def test_config_refuses_a_guessable_secret_as_the_processes_do(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OABRIDGE_TRIGGER_TOKEN", "CHANGE_ME")
    assert main(["config"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err == ("oabridge: invalid configuration: OABRIDGE_TRIGGER_TOKEN is "
                                 "the placeholder CHANGE_ME; set a real secret\n")
    monkeypatch.setenv("OABRIDGE_TRIGGER_TOKEN", "too-short")
    assert main(["config"]) == 2
    assert "OABRIDGE_TRIGGER_TOKEN is shorter than 16" in capsys.readouterr().err


def test_poll_is_queued_once(
    env: dict[str, str], redis: Redis, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["poll", "--agenda", "27041"]) == 0
    assert main(["poll", "--agenda", "27041"]) == 0
    out = capsys.readouterr().out
    assert "queued" in out and "already queued" in out
    assert len(Queue("poll", connection=redis, serializer=JSONSerializer).job_ids) == 1


def test_failed_jobs_are_listed_and_retried(
    env: dict[str, str], redis: Redis, capsys: pytest.CaptureFixture[str]
) -> None:
    runtime.install(Runtime.from_settings(load_settings()))
    try:
        once = JobSpec("workers.sync.sync_appointment", JOBS["sync_appointment"].queue, 30, (1,))
        JobWriter(redis).enqueue(once, [27041, 501, None], "sync-fails")
        worker = build_worker(redis, simple=True)
        worker.work(burst=True, logging_level="ERROR")  # the API is down: the job fails...
        registry = FailedJobRegistry(queue=JobWriter(redis).queue(once.queue))
        assert registry.get_job_ids() == []  # ...and waits for its retry first
    finally:
        runtime.install(None)
    no_retry = JobSpec("workers.sync.sync_appointment", once.queue, 30, ())
    JobWriter(redis).enqueue(no_retry, [27041, 502, None], "sync-fails-for-good")
    runtime.install(Runtime.from_settings(load_settings()))
    try:
        build_worker(redis, simple=True).work(burst=True, logging_level="ERROR")
    finally:
        runtime.install(None)
    assert "sync-fails-for-good" in registry.get_job_ids()
    assert main(["jobs", "failed"]) == 0
    listing = capsys.readouterr().out
    assert "sync-fails-for-good" in listing and "BookingTransportError" in listing
    assert main(["jobs", "retry", "sync-fails-for-good"]) == 0
    assert "sync-fails-for-good" in Queue("sync", connection=redis,
                                          serializer=JSONSerializer).job_ids
    assert main(["jobs", "retry", "no-such-job"]) == 1
