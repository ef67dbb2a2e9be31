"""The worker's liveness probe, run as rendered against the real Redis.

Alive means RQ keeps a worker of this host (the pod) registered; Redis being away is
not the worker's fault, so the probe passes then rather than restart every worker.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Callable, Iterator

import pytest
from redis import Redis
from rq import Worker

from tests.deploy.conftest import Manifest, one
from tests.support.redis_dbs import WORKER_PROBE_DB, url_with_db
from tests.support.redis_topology import RedisNode, SentinelGroup


@pytest.fixture
def probe_redis_url(redis_url: str) -> str:
    """The session's Redis, in a database of its own (declared in `redis_dbs.py`): the
    suite's database 15 may hold real RQ workers of this host (tests that run workers),
    which would make "no worker here" untrue."""
    return url_with_db(redis_url, WORKER_PROBE_DB)


@pytest.fixture
def probe_redis(probe_redis_url: str) -> Iterator[Redis]:
    connection = Redis.from_url(probe_redis_url)
    connection.flushdb()
    yield connection
    connection.flushdb()
    connection.close()


def run_probe(command: list[str], redis_url: str, **env: str) -> int:
    assert command[0] == "python"
    result = subprocess.run(
        [sys.executable, *command[1:]], env={"OABRIDGE_REDIS_URL": redis_url, **env},
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert not result.stderr, result.stderr
    return result.returncode


def probe_command(rendered: Callable[[str], list[Manifest]]) -> list[str]:
    deployment = one(rendered("production"), "Deployment", "oabridge-worker")
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    command: list[str] = container["livenessProbe"]["exec"]["command"]
    assert container["startupProbe"]["exec"]["command"] == command
    return command


@pytest.mark.slow
def test_worker_probe(
    rendered: Callable[[str], list[Manifest]], probe_redis: Redis, probe_redis_url: str
) -> None:
    redis, redis_url = probe_redis, probe_redis_url
    command = probe_command(rendered)

    assert run_probe(command, redis_url) == 1, "no worker registered: not alive"

    elsewhere = Worker(["send"], connection=redis, name="elsewhere")
    elsewhere.hostname = "another-pod"
    elsewhere.register_birth()
    assert run_probe(command, redis_url) == 1, "another pod's worker does not count"

    here = Worker(["send"], connection=redis, name="here")
    assert here.hostname == socket.gethostname()
    here.register_birth()
    assert run_probe(command, redis_url) == 0

    here.register_death()
    assert run_probe(command, redis_url) == 1, "a worker that stopped is not alive"

    assert run_probe(command, "redis://127.0.0.1:1/0") == 0, "Redis away: do not restart"


@pytest.fixture
def watched() -> Iterator[tuple[RedisNode, SentinelGroup]]:
    """A primary of its own (no worker of this host registered there) and one Sentinel."""
    primary = RedisNode.primary(aof=False)
    sentinels = SentinelGroup.start("probe", primary, count=1, quorum=1)
    yield primary, sentinels
    sentinels.stop()
    primary.stop()


@pytest.mark.slow
def test_worker_probe_under_sentinel(
    rendered: Callable[[str], list[Manifest]], watched: tuple[RedisNode, SentinelGroup]
) -> None:
    """Under Sentinel the URL's host is not used (`redis://:pw@unused/0` in the docs):
    the probe asks the Sentinels where the primary is, as the worker does. Connecting to
    the URL, it found no Redis and passed for ever, even with no worker alive."""
    primary, sentinels = watched
    command = probe_command(rendered)
    env = {"OABRIDGE_REDIS_SENTINELS": sentinels.setting,
           "OABRIDGE_REDIS_SENTINEL_MASTER": sentinels.name}
    unused = "redis://unused.invalid:6379/0"
    assert run_probe(command, unused, **env) == 1, "no worker registered: not alive"

    here = Worker(["send"], connection=primary.client(0), name="here")
    here.register_birth()
    assert run_probe(command, unused, **env) == 0
    here.register_death()
    assert run_probe(command, unused, **env) == 1

    away = {**env, "OABRIDGE_REDIS_SENTINELS": "127.0.0.1:1"}
    assert run_probe(command, unused, **away) == 0, "Sentinels away: do not restart"
