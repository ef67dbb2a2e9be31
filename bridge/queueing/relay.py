"""Moving accepted notices from the intake list into RQ jobs, in batches.

Every worker runs a relay. An entry moves atomically from the intake to a processing
list (LMOVE), becomes an RQ job with the id the ingress promised, and only then
leaves the processing list. A relay that dies in between leaves its entries in
processing; the ticker's `recover` puts an entry it has seen there for five seconds
back on the intake (a customer's STOP must not wait a minute). At worst an entry is
enqueued twice, under the same job id, and every job is safe to run twice. An entry
that cannot be read is kept, visibly, on a list of its own.
"""

from __future__ import annotations

import threading
from typing import Any

import structlog
from redis import Redis
from redis.exceptions import RedisError

from bridge.clock import Clock
from bridge.queueing.enqueue import JobWriter
from bridge.queueing.intake import IntakeEntry
from bridge.queueing.jobs import JOBS, JobSpec
from bridge.store import keys
from bridge.store.text import as_text

__all__ = ["Relay"]

log = structlog.get_logger(__name__)

UNREADABLE = f"{keys.PREFIX}intake:unreadable"


class Relay:
    def __init__(self, redis: Redis, writer: JobWriter, clock: Clock) -> None:
        self.redis = redis
        self.writer = writer
        self.clock = clock

    def _take(self, block_seconds: int) -> bytes | None:
        if block_seconds > 0:
            raw = self.redis.blmove(keys.INTAKE, keys.INTAKE_PROCESSING, block_seconds,
                                    "RIGHT", "LEFT")
        else:
            raw = self.redis.lmove(keys.INTAKE, keys.INTAKE_PROCESSING, "RIGHT", "LEFT")
        return raw if isinstance(raw, bytes) else None

    def pump(self, limit: int = 200, block_seconds: int = 0) -> int:
        """Turn up to `limit` intake entries into jobs; returns how many."""
        first = self._take(block_seconds)
        if first is None:
            return 0
        taken = [first]
        while len(taken) < limit and (more := self._take(0)) is not None:
            taken.append(more)
        jobs: list[tuple[JobSpec, tuple[Any, ...], str]] = []
        correlations: list[str | None] = []
        unreadable: list[bytes] = []
        for raw in taken:
            try:
                entry = IntakeEntry.from_json(raw)
                jobs.append((JOBS[entry.job], entry.args, entry.job_id))
                correlations.append(entry.correlation or None)
            except (ValueError, KeyError, TypeError):
                unreadable.append(raw)
        self.writer.enqueue_many(jobs, correlations)
        with self.redis.pipeline() as pipe:
            for raw in taken:
                pipe.lrem(keys.INTAKE_PROCESSING, 1, raw.decode())
            for raw in unreadable:
                pipe.rpush(UNREADABLE, raw)
            pipe.execute()
        if unreadable:
            log.error("intake_unreadable", count=len(unreadable), kept_in=UNREADABLE)
        return len(jobs)

    def recover(self) -> int:
        """Put entries stuck in processing (their relay died) back on the intake.

        Judged by when this ticker first saw an entry there, not by when it was
        accepted: an entry may wait long on a busy intake and still be in good hands."""
        now = self.clock.now().timestamp()
        waiting = {as_text(item) for item in self.redis.lrange(keys.INTAKE_PROCESSING, 0, -1)}
        seen = {as_text(k): float(v) for k, v in
                self.redis.hgetall(keys.INTAKE_PROCESSING_SEEN).items()}
        gone = set(seen) - waiting
        if gone:
            self.redis.hdel(keys.INTAKE_PROCESSING_SEEN, *gone)
        moved = 0
        for raw in waiting:
            if raw not in seen:
                self.redis.hsetnx(keys.INTAKE_PROCESSING_SEEN, raw, now)
                continue
            if now - seen[raw] < keys.INTAKE_RECOVER_SECONDS:
                continue
            with self.redis.pipeline() as pipe:
                pipe.lrem(keys.INTAKE_PROCESSING, 1, raw)
                pipe.rpush(keys.INTAKE, raw)
                pipe.hdel(keys.INTAKE_PROCESSING_SEEN, raw)
                pipe.execute()
            moved += 1
        if moved:
            log.warning("intake_recovered", entries=moved)
        return moved

    def run(self, stop: threading.Event) -> None:
        """Relay until `stop` is set (a worker's background thread)."""
        while not stop.is_set():
            try:
                self.pump(block_seconds=1)
            except RedisError:
                log.exception("relay_failed")
                stop.wait(1.0)
