"""Every Redis key has one owner: the jobs, the logic they run, the web app's routes and
the commands reach Redis only through the stores (`bridge/store`) and the queueing
classes (`bridge/queueing`) that own its keys.

A call of a Redis client method on something named like a Redis client (`redis`,
`ctx.sync_redis`, `self._redis`) in those packages fails this test, naming it. Allowed:
readiness's PING, which checks the connection itself and reads no key, and closing the
pools in the lifespan. RQ's registries (`bridge.admin.failed_jobs`) are RQ's public
classes, not a client, and are not caught here.
"""

from __future__ import annotations

import ast
from pathlib import Path

from redis import Redis

ROOT = Path(__file__).resolve().parents[2]
PARTS = ("bridge/ingress", "bridge/http", "bridge/admin", "bridge/sending", "bridge/replies",
         "bridge/sync", "bridge/cli", "bridge/practices", "workers")
CLIENT_METHODS = {name for name in dir(Redis) if not name.startswith("_")}
ALLOWED = {("bridge/ingress/health.py", "ping"), ("bridge/http/context.py", "close"),
           ("workers/runtime.py", "close")}


def client_calls(source: str) -> list[tuple[int, str]]:
    """(line, method) of each client method called on a Redis-named receiver."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        receiver = node.func.value
        name = receiver.id if isinstance(receiver, ast.Name) else \
            receiver.attr if isinstance(receiver, ast.Attribute) else ""
        if "redis" in name.lower() and node.func.attr in CLIENT_METHODS:
            found.append((node.lineno, node.func.attr))
    return found


def test_redis_commands_go_only_through_the_keys_owners() -> None:
    offending = [
        f"{path}:{line}: .{method}()"
        for part in PARTS for file in sorted((ROOT / part).rglob("*.py"))
        for path in [file.relative_to(ROOT).as_posix()]
        for line, method in client_calls(file.read_text(encoding="utf-8"))
        if (path, method) not in ALLOWED
    ]
    assert offending == [], \
        f"go through the key's owner in bridge/store or bridge/queueing: {offending}"


def test_a_planted_raw_call_is_found() -> None:
    planted = "async def f(context):\n    await context.redis.incr('k')\n" \
              "def g(redis):\n    with redis.pipeline() as pipe:\n        pipe.get('k')\n"
    assert client_calls(planted) == [(2, "incr"), (4, "pipeline")]
