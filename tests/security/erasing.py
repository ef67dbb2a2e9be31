"""Helpers for the erasure tests (no tests): run `oabridge erase` against a flow's
settings, and look for any trace of a person in Redis and at the Twilio sandbox."""

from __future__ import annotations

import pytest
from redis import Redis

from bridge.cli.main import main
from tests.flow.conftest import Flow


def erase(flow: Flow, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
          *args: str) -> tuple[int, str]:
    """`oabridge erase ARGS` in the flow's configuration: (exit status, what it printed)."""
    for name, value in flow.settings.model_dump().items():
        secret = getattr(value, "get_secret_value", None)
        monkeypatch.setenv(f"OABRIDGE_{name.upper()}", str(secret() if secret else value))
    capsys.readouterr()
    status = main(["erase", *args])
    return status, capsys.readouterr().out


def traces(redis: Redis, *needles: str) -> list[str]:
    """Every key whose name or value holds one of the needles (a number, an address)."""
    found = []
    for key in redis.scan_iter(count=1000):
        name = key.decode()
        kind = redis.type(key).decode()
        if kind == "string":
            values = [redis.get(key) or b""]
        elif kind == "hash":
            values = list(redis.hvals(key))
        elif kind == "list":
            values = list(redis.lrange(key, 0, -1))
        elif kind == "zset":
            values = list(redis.zrange(key, 0, -1))
        elif kind == "set":
            values = list(redis.smembers(key))
        else:  # streams: the skip log, events, reply effects
            values = [v for _, fields in redis.xrange(key) for v in fields.values()]
        text = name + " " + " ".join(v.decode(errors="replace") for v in values)
        if any(n in text for n in needles):
            found.append(name)
    return found


def at_twilio(flow: Flow, e164: str) -> list[dict[str, object]]:
    """The sandbox's messages to or from a number."""
    return [m for m in flow.twilio.messages() if e164 in (m["to"], m["from"])]


def sms_sent_to(flow: Flow, e164: str) -> list[str]:
    """The bodies of the bridge's SMS to a number (not Twilio's own answers)."""
    return [str(m["body"]) for m in flow.twilio.messages()
            if m["to"] == e164 and m["direction"] == "outbound-api"]


def lose_everything(redis: Redis) -> None:
    """Redis comes back empty (no persistence, a new instance): every key of the suite's
    database goes, the one the `redis` fixture empties around each test anyway."""
    for key in redis.scan_iter(count=1000):
        redis.delete(key)
