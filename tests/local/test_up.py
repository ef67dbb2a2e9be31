"""`oabridge up`: Redis chosen or embedded, the whole demo end to end, a clean stop."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from redis import Redis

from bridge.local.redis_choice import RedisUnavailable, choose_redis
from tests.support.asgi_server import free_port


def test_an_embedded_redis_when_none_is_configured_or_answering(tmp_path: Path) -> None:
    nobody = f"redis://127.0.0.1:{free_port()}/0"
    choice = choose_redis({}, tmp_path, default_url=nobody)
    try:
        assert choice.url.startswith("unix://") and "embedded" in choice.note
        assert "\n" not in choice.note
        client = Redis.from_url(choice.url)
        assert client.ping() and client.info("server")["redis_version"].startswith("6.2")
        client.close()
    finally:
        choice.close()


def test_a_configured_redis_that_does_not_answer_is_refused(tmp_path: Path) -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"
    with pytest.raises(RedisUnavailable) as refused:
        choose_redis({"OABRIDGE_REDIS_URL": url}, tmp_path)
    assert url in str(refused.value) and "\n" not in str(refused.value)


def test_the_local_redis_is_used_when_it_answers(tmp_path: Path, redis_url: str) -> None:
    assert choose_redis({}, tmp_path, default_url=redis_url).url == redis_url
    assert choose_redis({"OABRIDGE_REDIS_URL": redis_url}, tmp_path).url == redis_url


def wait_for(condition: Callable[[], bool], what: str, seconds: float = 60) -> None:
    """Wait for the demo's processes to do something (not for time to pass)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


@pytest.mark.slow
def test_the_demo_sends_prompts_reminders_and_mail_once_each(
    tmp_path: Path, redis: Redis, redis_url: str
) -> None:
    ports = {"--port": free_port(), "--sandbox-port": free_port(), "--smtp-port": free_port()}
    env = {k: v for k, v in os.environ.items() if not k.startswith("OABRIDGE_")}
    env["OABRIDGE_REDIS_URL"] = redis_url
    argv = [sys.executable, "-m", "bridge.cli.main", "up", "--fresh", "--state-dir",
            str(tmp_path / "state")]
    for flag, port in ports.items():
        argv += [flag, str(port)]
    up = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    sandbox = f"http://127.0.0.1:{ports['--sandbox-port']}"
    try:
        def sms() -> list[dict[str, object]]:
            try:
                return list(httpx.get(f"{sandbox}/_sandbox/twilio/messages").json())
            except (httpx.HTTPError, ValueError):
                return []

        def delivered(kind_word: str) -> bool:
            return any(m["status"] == "delivered" and kind_word in str(m["body"]) for m in sms())

        wait_for(lambda: delivered("bevestigen") or delivered("confirm"), "a delivered prompt")
        wait_for(lambda: delivered("Herinnering") or delivered("Reminder"), "a reminder")
        wait_for(lambda: bool(httpx.get(f"{sandbox}/_sandbox/mail").json()), "an e-mail")
        bodies = [(m["to"], m["body"]) for m in sms() if m.get("direction") != "inbound"]
        assert len(bodies) == len(set(bodies))  # nothing twice
        # A customer answers the prompt with the code the booking system sent them.
        outbox = httpx.get(f"{sandbox}/_sandbox/outbox").json()
        code = next(m["code"] for m in outbox if m["appointment_id"] == 30012003)
        answered = subprocess.run(
            [sys.executable, "-m", "bridge.cli.main", "sandbox", "sms", "--sandbox", sandbox,
             "--from", "+33612345678", code], env=env, capture_output=True, text=True,
            timeout=60,
        )
        assert answered.returncode == 0, answered.stdout + answered.stderr
        wait_for(lambda: any(m["to"] == "+33612345678" and "confirmed" in str(m["body"])
                             for m in sms()), "the thank-you reply")
    finally:
        up.send_signal(signal.SIGTERM)
        output, _ = up.communicate(timeout=60)
    text = output.decode()
    assert up.returncode == 0, text
    assert "stopped: ingress (clean), worker (clean), sandbox (clean)" in text
    assert "confirm_request" in text and "reminder" in text
