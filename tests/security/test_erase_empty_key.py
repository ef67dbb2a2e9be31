"""Issue #15, finding 1: with neither OABRIDGE_ERASURE_KEY nor OABRIDGE_API_SECRET set,
the tombstones' key was derived from "", a constant anyone can compute: a copy of Redis
then says who was erased (hash every number). `oabridge erase` now refuses, in one
line naming both variables, with exit status 2, and writes nothing."""

from __future__ import annotations

import pytest
from redis import Redis

from bridge.cli.main import main


@pytest.mark.parametrize("lift", [False, True])
def test_erase_refuses_without_a_key(
    redis: Redis, redis_url: str, lift: bool,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("OABRIDGE_REDIS_URL", redis_url)
    monkeypatch.setenv("OABRIDGE_API_SECRET", "")
    monkeypatch.setenv("OABRIDGE_ERASURE_KEY", "")
    redis.set("oab:optout:+31621000074", "STOP")
    status = main(["erase", "--phone", "+31621000074", *(["--lift"] if lift else [])])
    out = capsys.readouterr().out
    assert status == 2
    assert len(out.splitlines()) == 1, out
    assert "OABRIDGE_ERASURE_KEY" in out and "OABRIDGE_API_SECRET" in out
    assert redis.keys("oab:tombstone:*") == []
    assert redis.exists("oab:optout:+31621000074")  # nothing done
