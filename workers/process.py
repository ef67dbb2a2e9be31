"""`oabridge worker`, its composition root: two processes, so that none forks beside a
thread (issue #16).

- This process, the parent: the ticker, the relay and the alive key, three threads
  over a Runtime of their own. It forks nothing.
- Its child, a fresh Python (`workers.forker`), started before any of those threads:
  RQ's worker on every queue in priority order, which forks a work horse per job and
  runs no thread. Its name is chosen here and kept alive here.

The parent passes SIGTERM and SIGINT on to the child, reaps it and any orphan, and
exits with its code (`workers.forker_child`); the child and its horse die with the
parent (`bridge.queueing.parent_death`). A child that ended other than cleanly (code
not 0) may have held a job: its name stays listed without an alive key, so the ticker
hands the job back at once.

Retries with intervals are queued by the ticker (`bridge.queueing.retries`), not by
RQ's scheduler process, whose lock outlives a killed worker by minutes; the alive key
lets the ticker hand a dead worker's job back at once (`bridge.queueing.abandoned`).
On SIGTERM RQ finishes the job in hand (warm shutdown) and the child exits; then the
parent stops its threads and exits. A poll or sync job in hand is not waited for: its
booking-API call is abandoned at once and the job retried, and its work horse is killed
if it still runs `JOB_STOP_GRACE_SECONDS` later (`bridge.queueing.dequeue`); a send or
reply job finishes within its timeout. Each job runs under its kind's timeout for this
process's API timeout (`bridge.queueing.jobs`). Every Redis connection opened here has
the timeouts of `bridge.store.connection`.

`simple` (`oabridge worker --simple`, and tests) keeps one process: its jobs run in it,
nothing forks, so threads beside them are harmless.
"""

from __future__ import annotations

import signal
import threading
import uuid

import structlog

from bridge.queueing.abandoned import keep_alive, mark_alive
from bridge.queueing.dequeue import STOP_SIGNAL, build_worker
from bridge.queueing.jobs import QUEUES_BY_PRIORITY
from bridge.queueing.relay import Relay
from bridge.queueing.ticker import Intervals, Ticker
from bridge.settings import Settings
from bridge.store.connection import connect
from workers import forker, runtime
from workers.forker import JOB_STOP_GRACE_SECONDS, stopping_for
from workers.forker_child import ForkerChild
from workers.runtime import Runtime

__all__ = ["JOB_STOP_GRACE_SECONDS", "TEARDOWN_SECONDS", "build_ticker", "run_worker"]

log = structlog.get_logger(__name__)

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
                  send_concurrency=settings.send_concurrency, owner=owner,
                  watch=rt.sending.recovery.watch)


def run_worker(settings: Settings, *, burst: bool = False, simple: bool = False) -> int:
    """Run until RQ's worker stops; its exit code (0 after a warm shutdown)."""
    if settings.twilio_from and not settings.sender_takes_replies:
        log.warning("sender_takes_no_replies", sender=settings.twilio_from,
                    effect="prompts and reminders will not invite an SMS reply")
    if simple:
        return _run_in_one_process(settings, burst=burst)
    name = uuid.uuid4().hex
    alive = connect(settings.redis_target)
    mark_alive(alive, name)  # before the child can take a job under this name
    child = ForkerChild.start(forker.command(name, burst=burst))  # before any thread
    rt = Runtime.from_settings(settings)
    runtime.install(rt)  # for the threads, as in one process; the child has its own
    stop, crashed = threading.Event(), threading.Event()
    threads = _threads(rt, settings, stop)
    threads.append(threading.Thread(target=keep_alive, args=(alive, name, stop),
                                    kwargs={"crashed": crashed}, name="alive", daemon=True))
    for thread in threads:
        thread.start()
    code = 1
    try:
        code = child.wait()
    finally:
        if code != 0:
            crashed.set()
            log.error("worker_child_ended", name=name, code=code,
                      effect="its job in hand, if any, is handed back by the ticker")
        _stop(threads, stop, rt)
    return code


def _run_in_one_process(settings: Settings, *, burst: bool) -> int:
    rt = Runtime.from_settings(settings)
    runtime.install(rt)
    stop = threading.Event()
    # Until a work horse sets its own handler, the stop signal must not end it.
    signal.signal(STOP_SIGNAL, signal.SIG_IGN)
    worker = build_worker(connect(settings.redis_target), simple=True, stopping=stopping_for(rt))
    rt.claims.holder = worker.name  # its alive key is kept below
    threads = _threads(rt, settings, stop)
    threads.append(threading.Thread(target=keep_alive,
                                    args=(connect(settings.redis_target), worker.name, stop),
                                    name="alive", daemon=True))
    for thread in threads:
        thread.start()
    log.info("worker_started", name=worker.name, queues=[q.value for q in QUEUES_BY_PRIORITY])
    try:
        worker.work(with_scheduler=False, burst=burst, logging_level="WARNING")
    finally:
        _stop(threads, stop, rt)
    return 0


def _threads(rt: Runtime, settings: Settings, stop: threading.Event) -> list[threading.Thread]:
    """The ticker and the relay (which blocks on the intake: a connection of its own)."""
    relay = Relay(connect(settings.redis_target), rt.writer, rt.clock)
    return [
        threading.Thread(target=build_ticker(rt).run, args=(stop,), name="ticker", daemon=True),
        threading.Thread(target=relay.run, args=(stop,), name="relay", daemon=True),
    ]


def _stop(threads: list[threading.Thread], stop: threading.Event, rt: Runtime) -> None:
    stop.set()
    for thread in threads:
        thread.join(timeout=THREAD_JOIN_SECONDS)
    rt.close()
