"""`oabridge up`: Redis chosen or embedded, the whole demo end to end as the terminal
tells it, and a stop that leaves no process behind."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx
import pytest
from redis import Redis

from sandbox.local.redis_choice import RedisUnavailable, choose_redis
from tests.local.processes import alive, descendants, wait_until_gone
from tests.support.asgi_server import free_port
from tests.support.waiting import wait_for


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



def our_environ(**extra: str) -> dict[str, str]:
    """This environment without the suite's OABRIDGE_ variables (a second terminal's)."""
    return {**{k: v for k, v in os.environ.items() if not k.startswith("OABRIDGE_")}, **extra}


class Demo:
    """`oabridge up` in a subprocess, on free ports."""

    def __init__(self, cwd: Path, env: Mapping[str, str], *flags: str) -> None:
        self.ports = {"--port": free_port(), "--sandbox-port": free_port(),
                      "--smtp-port": free_port()}
        argv = [sys.executable, "-m", "bridge.cli.main", "up", *flags]
        for flag, port in self.ports.items():
            argv += [flag, str(port)]
        self.cwd = cwd
        # A session of its own: a signal to its group is what Ctrl-C in a terminal sends.
        self.process = subprocess.Popen(argv, env=dict(env), cwd=cwd, start_new_session=True,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.sandbox = f"http://127.0.0.1:{self.ports['--sandbox-port']}"
        self.ingress = f"http://127.0.0.1:{self.ports['--port']}"

    def sms(self) -> list[dict[str, Any]]:
        try:
            return list(httpx.get(f"{self.sandbox}/_sandbox/twilio/messages").json())
        except (httpx.HTTPError, ValueError):
            return []

    def delivered(self, *words: str, to: str = "") -> bool:
        return any(m["status"] == "delivered" and any(w in str(m["body"]) for w in words)
                   and m["to"] == (to or m["to"]) for m in self.sms())

    def command(self, *argv: str) -> subprocess.CompletedProcess[str]:
        """An oabridge command in a second terminal in the same folder."""
        return subprocess.run([sys.executable, "-m", "bridge.cli.main", *argv],
                              env=our_environ(), cwd=self.cwd, capture_output=True, text=True,
                              timeout=60)

    def stop(self, signum: int) -> str:
        """Ctrl-C (SIGINT to the group) or SIGTERM; returns the whole output."""
        if signum == signal.SIGINT:
            os.killpg(self.process.pid, signal.SIGINT)
        else:
            self.process.send_signal(signum)
        output, _ = self.process.communicate(timeout=90)
        return output.decode()


@pytest.mark.slow
def test_the_demo_tells_the_whole_story_and_a_second_terminal_sees_it(
    tmp_path: Path, redis: Redis, redis_url: str
) -> None:
    demo = Demo(tmp_path, our_environ(OABRIDGE_REDIS_URL=redis_url), "--fresh")
    try:
        wait_for(lambda: demo.delivered("bevestigen", "confirm"), "a delivered prompt")
        wait_for(lambda: demo.delivered("Herinnering", "Reminder"), "a reminder")
        wait_for(lambda: bool(httpx.get(f"{demo.sandbox}/_sandbox/mail").json()), "an e-mail")
        bodies = [(m["to"], m["body"]) for m in demo.sms() if m.get("direction") != "inbound"]
        assert len(bodies) == len(set(bodies))  # nothing twice
        # From a second terminal in this folder, no settings of its own: the demo's.
        config = demo.command("config")
        assert re.search(r"^OABRIDGE_SANDBOX_MODE +True$", config.stdout, re.M), config
        assert "using the settings of the demo" in config.stderr
        # Sébastien answers with the code the booking system sent him, Chloë cancels,
        # Zoë opts out (Twilio answers that itself).
        outbox = httpx.get(f"{demo.sandbox}/_sandbox/outbox").json()
        code = next(m["code"] for m in outbox if m["appointment_id"] == 30012003)
        for sender, body in (("+33612345678", code), ("+31652817346", "NEE"),
                             ("+31620934418", "STOP")):
            answered = demo.command("sandbox", "sms", "--from", sender, body)
            assert answered.returncode == 0, answered.stdout + answered.stderr
        wait_for(lambda: demo.delivered("confirmed", to="+33612345678"), "the thank-you")
        wait_for(lambda: demo.delivered("geannuleerd", to="+31652817346"), "the cancellation")
        thanks = next(m["body"] for m in demo.sms() if "confirmed" in m["body"])
        assert "Fysiotherapie De Linde" in thanks  # the agenda's name, as in reminders
        login = httpx.post(f"{demo.ingress}/admin/login", data={
            "token": (tmp_path / ".oabridge" / "admin-token").read_text().strip()})
        assert login.status_code == 303 and "oabridge_admin" in login.cookies
        started = descendants(demo.process.pid)
    finally:
        output = demo.stop(signal.SIGTERM)
    assert demo.process.returncode == 0, output
    assert "stopped: ingress (clean), worker (clean), sandbox (clean)" in output
    assert wait_until_gone(started) == set()
    assert not (tmp_path / ".oabridge" / "env").exists()
    banner, story = output.split("Press Ctrl-C to stop.")
    assert f"--from +33612345678 {code}" in banner.split("NEE")[0]  # what works comes first
    assert "This demo starts new" in banner and "where it stopped last time" not in banner
    assert "prompted above" not in banner and f"{demo.ingress}/admin/" in banner
    zone = r"\d\d:\d\d:\d\d CES?T  "
    assert re.search(zone + r"SMS +to \+33\*+78 +confirm_request .*\n +│ Dear Sébastien,",
                     story), story
    for line in (
        "BOOKING appointment 30012003: PENDING → APPROVED (confirmed by SMS from +33*******78)",
        "BOOKING appointment 30012004: PENDING → CANCELLED (cancelled by SMS from +31*******46)",
        f"'{code}'", "Twilio's own answer to STOP", "│ You have successfully been unsubscribed.",
    ):
        assert line in story, line
    assert re.search(zone + r"EMAIL to h\*+@example\.com .*\n +│ Subject: .+\n +│ \S", story)


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_a_stop_leaves_no_process_behind_with_the_embedded_redis(
    tmp_path: Path, signum: int
) -> None:
    state = tmp_path / "state"
    demo = Demo(tmp_path, our_environ(), "--embedded-redis", "--state-dir", str(state))
    try:
        wait_for(lambda: demo.delivered("bevestigen", "confirm"), "a delivered prompt")
        started = descendants(demo.process.pid)
        commands = {pid: Path(f"/proc/{pid}/cmdline").read_bytes() for pid in started}
        assert sum(b"redis-server" in c for c in commands.values()) == 1, commands
        assert sum(c.startswith(b"oabridge: ") for c in commands.values()) >= 3, commands
    finally:
        output = demo.stop(signum)
    assert demo.process.returncode == 0, output
    assert "embedded Redis runs on" in output
    assert "stopped: ingress (clean), worker (clean), sandbox (clean), Redis (clean)" in output
    assert wait_until_gone(started) == set()
    assert not alive(demo.process.pid)
    mention = str(state).encode()
    assert [pid for pid in map(int, filter(str.isdigit, os.listdir("/proc")))
            if alive(pid) and mention in _cmdline(pid)] == []
    assert (state / "redis.rdb").exists()  # saved: the next run continues


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""
