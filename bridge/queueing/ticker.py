"""The worker's clockwork: periodic polls and reconciliations, and due messages.

Every worker process runs a ticker, but only the one holding a short Redis lease
acts on a tick, so a poll is never queued twice however many workers run (two RQ
cron schedulers would enqueue every job twice). A tick:

- queues a poll of every watched agenda once per `OABRIDGE_POLL_INTERVAL`, and a
  reconciliation once per `OABRIDGE_RECONCILE_INTERVAL` (each only if none is queued);
- moves messages whose send time has come from the plan onto the send queue, and
  only then takes them off the schedule: a crash in between queues a message twice
  at worst, never loses it, and the send job is safe to run twice;
- first of all, and on every worker's tick, leading or not, reads the bridge's epoch
  (`watch`, given by the worker process: `bridge.sending.recovery`; one GET a second
  per worker), so a Redis that forgot is noticed before anything is dispatched, every
  worker process keeps its own sight of the epoch (what tells a loss from a first start
  without SMS), and a leading one ends a recovery when its work is done;
- puts the intake entries of relays that died back on the intake (`relay`), hands
  the started jobs of dead worker processes back to RQ's retry (`abandoned`), and
  queues the retries whose time has come (`retries`; RQ's own scheduler process is
  not used).

The lease lasts five seconds: when its holder dies, another worker's ticker takes
over within that time.

`tick` reads the injected clock and never sleeps, so tests drive it directly. It is
given what it uses (the worker process builds it: `workers.process.build_ticker`).
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import structlog
from redis import Redis

from bridge.clock import Clock
from bridge.queueing.abandoned import requeue_abandoned
from bridge.queueing.enqueue import JobWriter
from bridge.queueing.jobs import ALL_AGENDAS, JOBS
from bridge.queueing.relay import Relay
from bridge.queueing.retries import RetryMover
from bridge.store import keys
from bridge.store.plan_store import PlanStore

__all__ = ["Intervals", "Ticker"]

log = structlog.get_logger(__name__)

LEASE_MILLISECONDS = 5_000
#: Messages per send job, in rounds of the worker's send threads: every thread busy.
BATCH_ROUNDS = 4

_HOLD_LEASE = """
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] or not holder then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', tonumber(ARGV[2]))
  return 1
end
return 0
"""


@dataclass(frozen=True, slots=True)
class Intervals:
    """Seconds between the periodic jobs a leading ticker queues."""

    poll: int
    reconcile: int
    inbound_reconcile: int


class Ticker:
    def __init__(self, redis: Redis, writer: JobWriter, plans: PlanStore, clock: Clock,
                 intervals: Intervals, send_concurrency: int, owner: str | None = None,
                 watch: Callable[[bool], object] | None = None) -> None:
        self.redis = redis
        self.writer = writer
        self.plans = plans
        self.clock = clock
        self.intervals = intervals
        #: The send threads of a worker: a send job holds whole rounds of them.
        self.send_concurrency = send_concurrency
        self.owner = owner or f"ticker-{uuid.uuid4().hex[:12]}"
        #: Reads the epoch each tick, told whether this ticker leads (`Recovery.watch`);
        #: None: nobody watches.
        self.watch = watch
        self._relay = Relay(redis, writer, clock)
        self._retries = RetryMover(redis)

    def hold_lease(self) -> bool:
        held = self.redis.eval(_HOLD_LEASE, 1, keys.TICKER_LEASE, self.owner,
                               LEASE_MILLISECONDS)
        return int(held) == 1

    def release_lease(self) -> None:
        if self.redis.get(keys.TICKER_LEASE) == self.owner.encode():
            self.redis.delete(keys.TICKER_LEASE)

    def _due(self, task: str, interval_seconds: int) -> bool:
        now = int(self.clock.now().timestamp())
        last = self.redis.get(keys.last_run(task))
        if last is not None and now - int(last) < interval_seconds:
            return False
        self.redis.set(keys.last_run(task), now)
        return True

    def _queue_periodic(self, job: str, claim: str) -> bool:
        result = self.writer.enqueue_once(
            JOBS[job], [ALL_AGENDAS], f"{job}-{uuid.uuid4().hex[:12]}",
            claim_key=claim, claim_ttl=keys.POLL_CLAIM_SECONDS,
        )
        return result.enqueued

    def dispatch_due(self, limit: int = 2000) -> int:
        """Queue send jobs (batches of whole thread rounds) for every due message."""
        now = self.clock.now()
        due = self.plans.due(now, limit)
        size = BATCH_ROUNDS * self.send_concurrency  # full rounds of threads
        batches = [due[i:i + size] for i in range(0, len(due), size)]
        jobs = []
        for batch in batches:
            message_keys = [m.key for m in batch]
            digest = hashlib.sha256("|".join(message_keys).encode()).hexdigest()[:32]
            jobs.append((JOBS["deliver_batch"], [message_keys], f"deliver-{digest}"))
        self.writer.enqueue_many(jobs)
        self.plans.mark_dispatched(due, now)
        return len(due)

    def tick(self) -> dict[str, Any]:
        leading = self.hold_lease()
        epoch = self._watch(leading)
        if not leading:
            return {"leader": False, "epoch": epoch}
        intervals = self.intervals
        report: dict[str, Any] = {"leader": True, "polls": 0, "reconciles": 0}
        report["epoch"] = epoch
        if self._due("poll", intervals.poll):
            report["polls"] = int(self._queue_periodic("poll_agenda",
                                                       keys.poll_queued(ALL_AGENDAS)))
        if self._due("reconcile", intervals.reconcile):
            report["reconciles"] = int(self._queue_periodic("reconcile_agenda",
                                                            keys.RECONCILE_QUEUED))
        if self._due("inbound", intervals.inbound_reconcile):
            result = self.writer.enqueue_once(
                JOBS["reconcile_inbound"], [], f"reconcile-inbound-{uuid.uuid4().hex[:12]}",
                claim_key=keys.INBOUND_RECONCILE_QUEUED, claim_ttl=keys.POLL_CLAIM_SECONDS,
            )
            report["inbound_checks"] = int(result.enqueued)
        report["dispatched"] = self.dispatch_due()
        report["recovered"] = self._relay.recover()
        report["abandoned"] = requeue_abandoned(self.redis)
        self._retries.move_due()
        return report

    def _watch(self, leading: bool) -> bool:
        """Read the epoch; False when that failed (the sends check again themselves,
        so the tick goes on)."""
        if self.watch is None:
            return True
        try:
            self.watch(leading)
        except Exception as exc:  # the clockwork goes on; the sends hold back themselves
            log.warning("epoch_watch_failed", error=type(exc).__name__)
            return False
        return True

    def run(self, stop: threading.Event, every_seconds: float = 1.0) -> None:
        """Tick until `stop` is set (the worker's background thread)."""
        while not stop.is_set():
            try:
                self.tick()
            except Exception:  # a Redis hiccup must not kill the clockwork
                log.exception("ticker_failed")
            stop.wait(every_seconds)
        self.release_lease()
