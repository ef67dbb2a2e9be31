"""One worker process, its composition root: the Runtime its jobs use, RQ's worker on
every queue in priority order, and beside it the ticker, the relay and the alive key.

Retries with intervals are queued by the ticker (`bridge.queueing.retries`), not by
RQ's scheduler process, whose lock outlives a killed worker by minutes; a thread keeps
this process's alive key so the ticker can hand a dead worker's job back at once
(`bridge.queueing.abandoned`). On SIGTERM RQ finishes the job in hand (warm shutdown)
and exits; the ticker stops with it. A poll or sync job in hand is not waited for: its
booking-API call is abandoned at once and the job retried, and its work horse is killed
if it still runs `JOB_STOP_GRACE_SECONDS` later (`bridge.queueing.dequeue`); a send or
reply job finishes within its timeout. Each job runs under its kind's timeout for this
process's API timeout (`bridge.queueing.jobs`). Every Redis connection opened here has
the timeouts of `bridge.store.connection`.
"""

from __future__ import annotations

import signal
import threading

import structlog

from bridge.queueing.abandoned import keep_alive
from bridge.queueing.dequeue import STOP_SIGNAL, Stopping, build_worker
from bridge.queueing.jobs import QUEUES_BY_PRIORITY, job_timeouts
from bridge.queueing.relay import Relay
from bridge.queueing.ticker import Intervals, Ticker
from bridge.settings import Settings
from bridge.store.connection import connect
from workers import runtime
from workers.runtime import Runtime

__all__ = ["JOB_STOP_GRACE_SECONDS", "TEARDOWN_SECONDS", "build_ticker", "run_worker"]

log = structlog.get_logger(__name__)

#: How long a poll or sync job may run on after SIGTERM abandoned its booking-API call
#: (its own work: Redis, planning) before its work horse is killed.
JOB_STOP_GRACE_SECONDS = 20
#: The most the process takes to stop once RQ's worker has: each of its three threads
#: is given `THREAD_JOIN_SECONDS`.
THREAD_JOIN_SECONDS = 5
TEARDOWN_SECONDS = 3 * THREAD_JOIN_SECONDS


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
    stopping = Stopping(abort=rt.booking.transport.abort, grace_seconds=JOB_STOP_GRACE_SECONDS,
                        timeouts=job_timeouts(rt.booking.transport.call_budget_seconds))
    # Until a work horse sets its own handler, the stop signal must not end it.
    signal.signal(STOP_SIGNAL, signal.SIG_IGN)
    worker = build_worker(connect(settings.redis_url), simple=simple, stopping=stopping)
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
            thread.join(timeout=THREAD_JOIN_SECONDS)
        rt.close()
    return 0
