"""`oabridge messages` (a report repeated in a row shown once, times with their zone) and
the process titles of the long-running commands."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from redis import Redis

from bridge.cli.main import build_parser, main, title
from bridge.cli.messages_command import timeline
from bridge.store.message_log import MessageLog, MessageRecord
from tests.support.asgi_server import free_port


def test_a_status_reported_twice_in_a_row_is_shown_once() -> None:
    steps = [{"status": "claimed"}, {"status": "sent"}, {"status": "sent"},
             {"status": "failed", "code": 30003}, {"status": "failed", "code": 30003},
             {"status": "failed", "code": 30005}, {"status": "sent"}]
    assert timeline(steps) == ("claimed → sent → failed (30003) → failed (30005) → sent")


def test_messages_show_the_zone_and_no_repeats(
    monkeypatch: pytest.MonkeyPatch, redis: Redis, redis_url: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("OABRIDGE_REDIS_URL", redis_url)
    log = MessageLog(redis, 3600)
    winter = datetime(2026, 12, 3, 9, 42, tzinfo=UTC)
    log.open(MessageRecord("k:sms", "k", 30012003, "reminder", "sms", "+33612345678",
                           "claimed"), winter)
    for status in ("sent", "sent", "delivered"):
        log.advance("k:sms", status, winter)
    assert main(["messages"]) == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith("2026-12-03 10:42 CET  reminder")
    assert line.endswith("claimed → sent → delivered")


@pytest.mark.parametrize(("argv", "expected"), [
    (["serve", "--port", "8123"], "oabridge: ingress :8123"),
    (["worker"], "oabridge: worker"),
    (["sandbox", "--port", "8765"], "oabridge: sandbox :8765"),
    (["up"], "oabridge up"),
    (["sandbox", "sms", "--from", "+31600000000", "JA"], None),
    (["messages"], None),
])
def test_long_running_commands_have_readable_titles(
    argv: list[str], expected: str | None
) -> None:
    assert title(build_parser().parse_args(argv)) == expected


@pytest.mark.slow
def test_ps_shows_the_title_of_a_running_command() -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("OABRIDGE_")}
    sandbox = subprocess.Popen(
        [sys.executable, "-m", "bridge.cli.main", "sandbox", "--port", str(port),
         "--smtp-port", str(free_port())],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        cmdline = Path(f"/proc/{sandbox.pid}/cmdline")
        while b"oabridge: sandbox" not in cmdline.read_bytes():  # poll the process
            assert time.monotonic() < deadline and sandbox.poll() is None
            time.sleep(0.05)
        assert cmdline.read_bytes().split(b"\0")[0].strip() == f"oabridge: sandbox :{port}".encode()
    finally:
        sandbox.terminate()
        sandbox.wait(timeout=30)
