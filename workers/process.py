"""One worker process, its composition root: the Runtime its jobs use, RQ's worker on
every queue in priority order, and beside it the ticker, the relay and the alive key.

Retries with intervals are queued by the ticker (`bridge.queueing.retries`), not by
RQ's scheduler process, whose lock outlives a killed worker by minutes; a thread keeps
this process's alive key so the ticker can hand a dead worker's job back at once
(`bridge.queueing.abandoned`). On SIGTERM RQ finishes the job in hand (warm shutdown)
and exits; the ticker stops with it. Every Redis connection opened here has the
timeouts of `bridge.store.connection`.
"""

from __future__ import annotations

import threading

import structlog

from bridge.queueing.abandoned import keep_alive
from bridge.queueing.dequeue import build_worker
from bridge.queueing.jobs import QUEUES_BY_PRIORITY
from bridge.queueing.relay import Relay
from bridge.queueing.ticker import Intervals, Ticker
from bridge.settings import Settings
from bridge.store.connection import connect
from workers import runtime
from workers.runtime import Runtime

__all__ = ["build_ticker", "run_worker"]

log = structlog.get_logger(__name__)


def build_ticker(rt: Runtime, owner: str | None = None) -> Ticker:
    """The ticker of a worker process, over its Runtime's Redis, plan store and clock."""
    settings = rt.settings
    intervals = Intervals(poll=settings.poll_interval, reconcile=settings.reconcile_interval,
                          inbound_reconcile=settings.inbound_reconcile_interval)
    return Ticker(rt.redis, rt.writer, rt.plans, rt.clock, intervals,
                  send_concurrency=settings.send_concurrency, owner=owner)


def run_worker(settings: Settings, *, burst: bool = False, simple: bool = False) -> int:
    rt = Runtime.from_settings(settings)
    runtime.install(rt)
    if settings.twilio_from and not settings.sender_takes_replies:
        log.warning("sender_takes_no_replies", sender=settings.twilio_from,
                    effect="prompts and reminders will not invite an SMS reply")
    stop = threading.Event()
    # The relay blocks on the intake and RQ's worker on its queues: connections of
    # their own, not the jobs' pool.
    relay = Relay(connect(settings.redis_url), rt.writer, rt.clock)
    worker = build_worker(connect(settings.redis_url), simple=simple)
    threads = [
        threading.Thread(target=build_ticker(rt).run, args=(stop,), name="ticker", daemon=True),
        threading.Thread(target=relay.run, args=(stop,), name="relay", daemon=True),
        threading.Thread(target=keep_alive, args=(connect(settings.redis_url), worker.name, stop),
                         name="alive", daemon=True),
    ]
    for thread in threads:
        thread.start()
    log.info("worker_started", name=worker.name, queues=[q.value for q in QUEUES_BY_PRIORITY])
    try:
        worker.work(with_scheduler=False, burst=burst, logging_level="WARNING")
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=5)
        rt.close()
    return 0
