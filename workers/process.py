"""One worker process: RQ's worker on every queue in priority order, plus the ticker
and the relay that turns the ingress's accepted notices into jobs.

Retries with intervals are queued by the ticker (`workers.retries`), not by RQ's
scheduler process, whose lock outlives a killed worker by minutes; a thread keeps
this process's alive key so the ticker can hand a dead worker's job back at once
(`workers.abandoned`). On SIGTERM RQ finishes the job in hand (warm shutdown) and
exits; the ticker stops with it.
"""

from __future__ import annotations

import threading

import structlog
from redis import Redis
from rq import Worker
from rq.serializers import JSONSerializer

from bridge.queueing.jobs import QUEUES_BY_PRIORITY
from bridge.settings import Settings
from workers import runtime
from workers.abandoned import keep_alive
from workers.dequeue import SafeSimpleWorker, SafeWorker
from workers.relay import Relay
from workers.runtime import Runtime
from workers.ticker import Ticker

__all__ = ["build_worker", "run_worker"]

log = structlog.get_logger(__name__)


def build_worker(redis: Redis, *, simple: bool = False, name: str | None = None) -> Worker:
    """An RQ worker on the bridge's queues (simple: jobs run in-process, no fork), which
    never holds a job where a SIGKILL would lose it (`workers.dequeue`)."""
    worker_class: type[Worker] = (
        SafeSimpleWorker if simple else SafeWorker  # type: ignore[assignment]
    )
    return worker_class(
        [queue.value for queue in QUEUES_BY_PRIORITY],
        connection=redis,
        serializer=JSONSerializer,
        name=name,
    )


def run_worker(settings: Settings, *, burst: bool = False, simple: bool = False) -> int:
    rt = Runtime.from_settings(settings)
    runtime.install(rt)
    if settings.twilio_from and not settings.sender_takes_replies:
        log.warning("sender_takes_no_replies", sender=settings.twilio_from,
                    effect="prompts and reminders will not invite an SMS reply")
    stop = threading.Event()
    ticker = Ticker(rt)
    relay = Relay(Redis.from_url(settings.redis_url, socket_timeout=10), rt.writer, rt.clock)
    threads = [
        threading.Thread(target=ticker.run, args=(stop,), name="ticker", daemon=True),
        threading.Thread(target=relay.run, args=(stop,), name="relay", daemon=True),
    ]
    for thread in threads:
        thread.start()
    worker = build_worker(Redis.from_url(settings.redis_url), simple=simple)
    alive = threading.Thread(target=keep_alive, name="alive", daemon=True,
                             args=(Redis.from_url(settings.redis_url), worker.name, stop))
    alive.start()
    threads.append(alive)
    log.info("worker_started", name=worker.name, queues=[q.value for q in QUEUES_BY_PRIORITY])
    try:
        worker.work(with_scheduler=False, burst=burst, logging_level="WARNING")
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=5)
        rt.close()
    return 0
