"""Commands in a second terminal see the running demo: `up` leaves its settings in the
state folder, and the operator commands read them when nothing else is configured."""

from __future__ import annotations

import io
import os
import stat
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from redis import Redis
from starlette.applications import Starlette

from bridge.cli import state_env
from bridge.cli.main import main
from bridge.store.message_log import MessageLog, MessageRecord
from sandbox.local.admin_token import admin_token
from sandbox.twilio import DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, TwilioSandbox
from tests.support.asgi_server import serve

DEMO = {"OABRIDGE_SANDBOX_MODE": "1", "OABRIDGE_REMINDER_OFFSETS": "4d",
        "OABRIDGE_REDIS_URL": "unix:///tmp/a b/redis.sock?db=0",
        "OABRIDGE_PRACTICE_PHONE": "030 123 45 67", "PATH": "/not/written"}


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder to run commands in, with none of our variables set."""
    for name in list(os.environ):
        if name.startswith("OABRIDGE_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_file_is_the_owners_only_and_reads_back_in_the_shell_too(tmp_path: Path) -> None:
    path = state_env.write(tmp_path, DEMO)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    wanted = {k: v for k, v in DEMO.items() if k.startswith("OABRIDGE_")}
    assert state_env.read(path) == wanted
    shell = subprocess.run(["sh", "-c", f'set -a; . "{path}"; set +a; env'],
                           capture_output=True, text=True, check=True, env={})
    assert {k: v for k, v in (line.split("=", 1) for line in shell.stdout.splitlines())
            if k.startswith("OABRIDGE_")} == wanted
    state_env.remove(tmp_path)
    assert not path.exists()


def test_the_demo_is_used_only_when_nothing_else_is_configured(tmp_path: Path) -> None:
    state_env.write(tmp_path / ".oabridge", DEMO)
    said = io.StringIO()
    mine = {"OABRIDGE_REDIS_URL": "redis://elsewhere:6379/0", "HOME": "/root"}
    assert state_env.command_environ(mine, cwd=tmp_path, say=said) == mine
    assert said.getvalue() == ""
    merged = state_env.command_environ({"HOME": "/root"}, cwd=tmp_path, say=said)
    assert merged["OABRIDGE_SANDBOX_MODE"] == "1" and merged["HOME"] == "/root"
    assert said.getvalue().count("\n") == 1 and ".oabridge/env" in said.getvalue()
    assert state_env.command_environ({}, cwd=tmp_path / "elsewhere", say=said) == {}


def config_rows(out: str) -> dict[str, str]:
    return {name: value.strip() for name, _, value in
            (line.partition(" ") for line in out.splitlines())}


def test_config_in_a_second_terminal_shows_what_the_demo_runs_with(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["config"]) == 0
    out, err = capsys.readouterr()
    assert config_rows(out)["OABRIDGE_SANDBOX_MODE"] == "False" and err == ""  # no demo here
    state_env.write(here / ".oabridge", DEMO)
    assert main(["config"]) == 0
    out, err = capsys.readouterr()
    rows = config_rows(out)
    assert rows["OABRIDGE_SANDBOX_MODE"] == "True" and rows["OABRIDGE_REMINDER_OFFSETS"] == "4d"
    assert err.count("\n") == 1 and err.startswith("oabridge: using the settings of the demo")


@pytest.fixture
def twilio() -> Iterator[TwilioSandbox]:
    with TwilioSandbox(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN) as sandbox:
        yield sandbox


def test_sandbox_sms_finds_the_demos_sandbox(
    here: Path, twilio: TwilioSandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    with serve(Starlette(routes=twilio.routes())) as url:
        state_env.write(here / ".oabridge", {"OABRIDGE_TWILIO_BASE_URL": url})
        assert main(["sandbox", "sms", "--from", "+33612345678", "--no-deliver", "JA"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("Inbound SMS") and url in err and err.count("\n") == 1
    assert [m["body"] for m in twilio.messages("inbound")] == ["JA"]


def test_the_admin_token_is_made_once_per_state_folder(tmp_path: Path) -> None:
    token = admin_token(tmp_path / "state")
    assert len(token) >= 24 and admin_token(tmp_path / "state") == token
    assert stat.S_IMODE((tmp_path / "state" / "admin-token").stat().st_mode) == 0o600
    assert admin_token(tmp_path / "other") != token


def test_messages_and_failed_jobs_in_a_second_terminal_read_the_demos_redis(
    here: Path, redis: Redis, redis_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    MessageLog(redis, 3600).open(MessageRecord(
        "k:sms", "k", 30012003, "reminder", "sms", "+33612345678", "sent"), datetime.now(UTC))
    state_env.write(here / ".oabridge", {"OABRIDGE_REDIS_URL": redis_url})
    assert main(["messages"]) == 0
    assert main(["jobs", "failed"]) == 0
    out, err = capsys.readouterr()
    assert "reminder" in out and "+33*******78" in out and "no failed jobs" in out
    assert err.count("using the settings of the demo") == 2


def test_without_a_demo_here_sandbox_sms_uses_the_usual_address(
    here: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import httpx

    from sandbox.twilio.cli import DEFAULT_SANDBOX_URL

    called: list[str] = []

    def refused(url: str, **_: object) -> httpx.Response:
        called.append(url)
        raise httpx.ConnectError("refused")

    monkeypatch.setattr(httpx, "post", refused)
    assert main(["sandbox", "sms", "--from", "+33612345678", "JA"]) == 2
    assert called == [f"{DEFAULT_SANDBOX_URL}/_sandbox/twilio/inbound"]
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot reach the sandbox at " + DEFAULT_SANDBOX_URL in err
