"""The soak's attacks on Redis (#16), each kind on its own seeded schedule, apart from
the worker kills and the ingress restarts (`chaos`):

- `restart`: the primary SIGKILLed and started again on its append-only file (what a
  pod's move does to a Redis with persistence): nothing acknowledged may be lost,
  nothing sent twice.
- `failover`: the primary SIGKILLed and left down; the Sentinels promote the replica,
  the old primary comes back as its replica. Nothing sent twice; with
  `OABRIDGE_REDIS_MIN_REPLICAS=1` nothing acknowledged lost.
- `amnesia`: the primary SIGKILLed and started again without its files (a restart
  without persistence): the database is empty. No SMS twice; e-mails due before the
  loss may be skipped as `memory lost; may have been sent`.

Before each fault the soak's readers take their copies of what the fault may take
(`before`: the skip stream, the message log's provider links), so the oracle judges by
what survives. Each fault is recorded in the journal: when it began, and when the
bridge's Redis answered a write again (for a failover: the promoted replica; the old
primary's return as a replica is noted apart).

The thread that restarts a node must outlive the run (the node dies with it), so it
waits for `close()` after its last fault.
"""

from __future__ import annotations

import contextlib
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from redis.exceptions import RedisError

from bench.soaklib.redis_servers import SoakRedis
from bridge.store.epoch import Epochs

KINDS = ("restart", "failover", "amnesia")
LABELS = {
    "restart": "primary SIGKILLed, restarted with its AOF",
    "failover": "primary SIGKILLed, Sentinel promoted the replica",
    "amnesia": "primary SIGKILLed, restarted with its files gone",
}
WINDOW = (0.1, 0.85)
"""Faults fall in this share of the changes' period: after the start-up, before the end."""


@dataclass
class RedisFault:
    kind: str
    at: float
    """When it is planned (epoch seconds)."""
    began: float = 0.0
    back: float = 0.0
    """When the bridge's Redis (the primary, for a failover the promoted one) answered
    a write again; 0 while it has not."""
    note: str = ""
    noticed: float = 0.0
    """Amnesia: when the bridge found the loss (its new epoch's `lost_at`), what it counts
    "before the loss" from (nothing is sent between the loss and then); 0 if not seen."""

    @property
    def away(self) -> float:
        return self.back - self.began if self.back else float("nan")


def parse_kinds(text: str) -> list[str]:
    """`restart,restart,amnesia` -> the kinds in that order; `none` or '' -> []."""
    kinds = [k.strip() for k in text.split(",") if k.strip() and k.strip() != "none"]
    unknown = sorted(set(kinds) - set(KINDS))
    if unknown:
        raise ValueError(f"unknown Redis fault(s) {unknown}; known: {', '.join(KINDS)}")
    return kinds


def schedule(kinds: list[str], seed: int, begin: float, seconds: float) -> list[RedisFault]:
    """When each fault happens. The window is cut into one slot per fault so that they
    never overlap; which fault takes which slot, and where in it, follow from the run's
    seed, each kind from a random source of its own (not the worker kills')."""
    if not kinds:
        return []
    low, high = (begin + seconds * f for f in WINDOW)
    width = (high - low) / len(kinds)
    slots = list(range(len(kinds)))
    random.Random(f"{seed}:redis-slots").shuffle(slots)
    sources = {kind: random.Random(f"{seed}:redis-{kind}") for kind in set(kinds)}
    faults = [RedisFault(kind, low + width * (slot + 0.2 + 0.6 * sources[kind].random()))
              for kind, slot in zip(kinds, slots, strict=True)]
    return sorted(faults, key=lambda f: f.at)


class RedisChaos:
    """Runs `faults` on a thread of its own; `before()` runs just before each."""

    def __init__(self, redis: SoakRedis, faults: list[RedisFault],
                 before: Callable[[], None]) -> None:
        self.redis = redis
        self.faults = faults
        self.before = before
        self.errors: list[str] = []
        self.done = threading.Event()
        self.closing = threading.Event()
        self.thread = threading.Thread(target=self._run, name="soak-redis-faults",
                                       daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            for fault in self.faults:
                if self.closing.wait(max(0.0, fault.at - time.time())):
                    break
                try:
                    self._inject(fault)
                except Exception as exc:  # said in the table as a problem, the run goes on
                    self.errors.append(f"Redis fault {fault.kind} failed: {exc!r}")
        finally:
            self.done.set()
        self.closing.wait()  # the nodes restarted here die with this thread

    def _inject(self, fault: RedisFault) -> None:
        with contextlib.suppress(RedisError):
            self.before()
        node = self.redis.primary()
        fault.began = time.time()
        node.kill()
        if fault.kind == "failover":
            new_port = self.redis.wait_for_new_master(node.port)
            fault.back = self._writable()
            self.redis.restart(node)  # back as the new primary's replica
            synced = _until(self.redis.replicas_in_sync, 60)
            fault.note = (f"{node.port} -> {new_port}; old primary back as its replica "
                          f"{synced - fault.began:.1f} s after the kill" if synced
                          else f"{node.port} -> {new_port}; old primary not in sync in 60 s")
            return
        if fault.kind == "amnesia":
            self.redis.wipe(node)
        self.redis.restart(node)
        fault.back = self._writable()
        if fault.kind == "amnesia":
            fault.noticed = self._noticed(fault.began)
        if self.redis.replicated:
            synced = _until(self.redis.replicas_in_sync, 60)
            fault.note = (f"replica in sync {synced - fault.began:.1f} s after the kill"
                          if synced else "replica not in sync in 60 s")

    def _writable(self) -> float:
        """When the primary took a write again (a key of the soak's own)."""
        client = self.redis.client()

        def writes() -> bool:
            try:
                return bool(client.set("soak:probe", "1", ex=60))
            except RedisError:
                return False

        try:
            return _until(writes, 120) or 0.0
        finally:
            client.close()

    def _noticed(self, began: float) -> float:
        """When the bridge wrote that it found the loss (`lost_at`), waited for a minute
        at most; 0 if it did not in that time."""
        client = self.redis.client()
        found: list[float] = []

        def written() -> bool:
            try:
                epoch = Epochs(client).read()
            except RedisError:
                return False
            if epoch is None or epoch.lost_at is None or epoch.lost_at.timestamp() < began:
                return False
            found.append(epoch.lost_at.timestamp())
            return True

        try:
            _until(written, 60)
        finally:
            client.close()
        return found[-1] if found else 0.0

    def finished(self) -> bool:
        return self.done.is_set()

    def close(self) -> None:
        """After the run: the thread may end (and the nodes it restarted with it)."""
        self.closing.set()
        self.thread.join(30)


def rows(faults: list[RedisFault], started: float) -> list[tuple[str, str]]:
    """The table's row for each Redis fault: what, when (from the first change), how
    long the bridge's Redis was away."""
    out = []
    for number, fault in enumerate(faults, 1):
        name = f"Redis fault {number}: {fault.kind}"
        if not fault.began:
            out.append((name, "did not happen"))
            continue
        away = f"away {fault.away:.2f} s" if fault.back else "not back"
        note = f"; {fault.note}" if fault.note else ""
        if fault.kind == "amnesia":
            note += (f"; the bridge found the loss {fault.noticed - fault.began:.1f} s after "
                     "the kill" if fault.noticed else "; the bridge did not find the loss")
        out.append((name, f"{LABELS[fault.kind]} at {fault.began - started:.0f} s; "
                          f"{away}{note}"))
    return out


def _until(condition: Callable[[], bool], seconds: float) -> float | None:
    """When `condition()` first held, polled every 20 ms; None after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return time.time()
        time.sleep(0.02)
    return None
