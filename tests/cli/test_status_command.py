"""`oabridge status`: the epoch, the recovery and the Redis, one fact a line or as JSON;
an unreachable Redis is one line and status 2."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from redis import Redis

from bridge.cli.main import main
from bridge.store.epoch import Epochs, new_epoch
from tests.support.asgi_server import free_port

LOST = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, redis_url: str) -> dict[str, str]:
    values = {
        "OABRIDGE_REDIS_URL": redis_url,
        "OABRIDGE_API_URL": f"http://127.0.0.1:{free_port()}/APIREST",  # nothing listens
        "OABRIDGE_API_KEY": "clitests0000-abcdef",
        "OABRIDGE_API_SECRET": "s3cr3t-value-of-the-cli-tests",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


def test_before_any_worker_started(env: dict[str, str], redis: Redis,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["status"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("epoch: none")
    assert "redis persistence: none" in lines and "redis replicas: 0" in lines
    assert "redis eviction policy: noeviction" in lines
    assert any(line.startswith("warning: Redis keeps nothing on disk") for line in lines)


def test_in_recovery_after_a_loss(env: dict[str, str], redis: Redis,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    epoch, _ = Epochs(redis).begin(new_epoch(LOST, lost=True))
    Epochs(redis).count("found_sent")
    assert main(["status"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[:5] == [
        f"epoch: {epoch.id}", "started: 2026-12-04T15:00:00Z",
        "memory lost: yes, found at 2026-12-04T15:00:00Z",
        "recovery: running since 2026-12-04T15:00:00Z",
        "sms found at Twilio, not sent again: 1",
    ]
    assert lines[5:9] == [
        "e-mails skipped (memory lost; may have been sent): 0",
        "sms skipped (may have gone by e-mail before the loss): 0",
        "replies set aside (memory lost; may have been answered): 0",
        "conversations reopened from Twilio's log: 0",
    ]
    assert main(["status", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["epoch"] == {"id": epoch.id, "started_at": "2026-12-04T15:00:00Z",
                              "lost_at": "2026-12-04T15:00:00Z", "recovering": True,
                              "recovered_at": None}
    assert shown["recovery_counts"] == {"memory_lost": 1, "found_sent": 1}
    assert shown["redis"]["eviction_policy"] == "noeviction"
    Epochs(redis).end_recovery(epoch, LOST)
    assert main(["status"]) == 0
    assert "recovery: ended at 2026-12-04T15:00:00Z" in capsys.readouterr().out.splitlines()


def test_a_first_start(env: dict[str, str], redis: Redis,
                       capsys: pytest.CaptureFixture[str]) -> None:
    Epochs(redis).begin(new_epoch(LOST, lost=False))
    assert main(["status"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "memory lost: no (a first start)" in lines and "recovery: no" in lines


def test_an_unreachable_redis_is_one_line_and_status_2(
        env: dict[str, str], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("OABRIDGE_REDIS_URL", f"redis://127.0.0.1:{free_port()}/0")
    assert main(["status"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1
    assert err.startswith("oabridge: cannot reach Redis (ConnectionError)")
