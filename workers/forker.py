"""The process of `oabridge worker` that forks the work horses: RQ's worker and nothing
else, so that no thread runs beside a fork.

A fork copies only the forking thread; a lock another thread held at that moment
(logging's, an allocator's, a connection pool's) stays held in the child for ever, and
one work horse in the soak waited on such a lock for two hours (issue #16). So the
ticker, the relay and the alive key run in the parent, `oabridge worker` itself
(`workers.process`), which starts this module as a fresh Python (`python -m
workers.forker NAME`), not a fork of itself. This process keeps RQ's worker under the
name the parent keeps alive, builds the Runtime the horses inherit, and stops as the
parent's forwarded SIGTERM or SIGINT says (`bridge.queueing.dequeue`: warm shutdown,
poll and sync jobs cut short). It dies with the parent (`bridge.queueing.parent_death`).
"""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Sequence
from types import FrameType

import structlog

from bridge.observability.logging import configure_logging
from bridge.observability.proctitle import set_title
from bridge.queueing.dequeue import STOP_SIGNAL, Stopping, build_worker
from bridge.queueing.jobs import QUEUES_BY_PRIORITY, job_timeouts
from bridge.settings import Settings, load_startup_settings
from bridge.store.connection import connect
from workers import runtime
from workers.runtime import Runtime

__all__ = ["JOB_STOP_GRACE_SECONDS", "command", "main", "run_jobs", "stopping_for"]

log = structlog.get_logger(__name__)

#: How long a poll or sync job may run on after SIGTERM abandoned its booking-API call
#: (its own work: Redis, planning) before its work horse is killed.
JOB_STOP_GRACE_SECONDS = 20


def command(name: str, *, burst: bool) -> list[str]:
    """The command line that starts this process for the worker named `name`."""
    return [sys.executable, "-m", "workers.forker", name, *(["--burst"] if burst else [])]


def stopping_for(rt: Runtime) -> Stopping:
    """What a stopping worker does to a poll or sync job in hand, for this Runtime."""
    return Stopping(abort=rt.booking.transport.abort, grace_seconds=JOB_STOP_GRACE_SECONDS,
                    timeouts=job_timeouts(rt.booking.transport.call_budget_seconds))


def run_jobs(settings: Settings, name: str, *, burst: bool) -> int:
    """Run RQ's forking worker named `name` until it stops; 0 once it has."""
    rt = Runtime.from_settings(settings)
    rt.claims.holder = name  # a claim names its worker: stale soon after the worker dies
    runtime.install(rt)  # the work horses inherit it
    # Until a work horse sets its own handler, the stop signal must not end it.
    signal.signal(STOP_SIGNAL, signal.SIG_IGN)
    worker = build_worker(connect(settings.redis_target), name=name, stopping=stopping_for(rt))
    log.info("worker_started", name=worker.name, queues=[q.value for q in QUEUES_BY_PRIORITY])
    try:
        worker.work(with_scheduler=False, burst=burst, logging_level="WARNING")
    finally:
        _ignore_further_stops()
        rt.close()
    return 0


def _ignore_further_stops() -> None:
    """RQ's worker has stopped: a second SIGTERM or SIGINT (a Ctrl-C at a terminal and
    then `oabridge up`'s own SIGTERM, both passed on by the parent) has nothing left to
    stop. Python puts its own handlers back to the default as it exits, and a signal in
    that instant would end this process by the signal (exit 143), not cleanly; an
    ignored signal stays ignored."""
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, signal.SIG_IGN)


def _stop_before_work(_signum: int, _frame: FrameType | None) -> None:
    """A stop that comes before RQ's worker has taken over the signals: nothing is in
    hand yet, so end at once, cleanly."""
    raise SystemExit(0)


def main(argv: Sequence[str] | None = None) -> int:
    for signum in (signal.SIGTERM, signal.SIGINT):  # RQ's worker sets its own in `work`
        signal.signal(signum, _stop_before_work)
    parser = argparse.ArgumentParser(prog="python -m workers.forker")
    parser.add_argument("name", help="the worker's name, whose alive key the parent keeps")
    parser.add_argument("--burst", action="store_true", help="exit when the queues are empty")
    args = parser.parse_args(argv)
    set_title("oabridge: worker: starting")
    # The parent checked these settings from the same environment before starting us.
    settings = load_startup_settings("worker")
    configure_logging(json=True)
    return run_jobs(settings, args.name, burst=args.burst)


if __name__ == "__main__":
    sys.exit(main())
