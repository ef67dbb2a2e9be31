"""`/healthz`, `/readyz` and `/metrics`.

Liveness says only that the process answers; readiness that Redis answers too (an
ingress that cannot enqueue should get no traffic). Readiness PINGs the ingress's own
connection: no key is read, it is the connection that is checked, so this is the one
Redis command a route sends itself rather than through a store.

Metrics combine this process's counters with figures every process writes to Redis
(events by type, poll lag, the recovery after Redis forgot), read at each scrape
through the readers of the keys' owners. Those readers are blocking, so they run in
the thread pool, over the app's sync connection; the intake's depth is read on the
asyncio one, like the intake.
With Redis unreachable, `/metrics` still answers 200 with this process's own
figures and `oabridge_redis_up 0`, leaving out the figures it could not read (a
stale value would look current): an outage is when they are wanted most.
"""

from __future__ import annotations

from collections.abc import Iterable

import structlog
from prometheus_client import CONTENT_TYPE_LATEST, Gauge, generate_latest
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector
from redis.exceptions import RedisError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bridge.http.context import AppContext, context_of
from bridge.observability.metrics import IngressMetrics
from bridge.queueing.jobs import QUEUES_BY_PRIORITY
from bridge.store.counters import Counters
from bridge.store.epoch import Epochs
from bridge.store.plan_store import PlanStore
from bridge.store.sync_state import SyncState

__all__ = ["healthz", "metrics", "readyz"]

log = structlog.get_logger(__name__)


async def healthz(_request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    try:
        await context_of(request).redis.ping()
    except (RedisError, OSError) as exc:
        return JSONResponse(
            {"status": "unavailable", "redis": type(exc).__name__}, status_code=503
        )
    return JSONResponse({"status": "ready", "redis": "ok"})


def _refresh_shared_figures(context: AppContext) -> None:
    """Set the gauges of the figures in Redis (blocking: run in the thread pool)."""
    redis, gauges = context.sync_redis, context.metrics
    counters = Counters(redis)
    for counts, gauge, label in (
        (PlanStore(redis).event_counts(), gauges.events, "type"),
        (context.message_log.status_counts(), gauges.messages, "status"),
        (counters.reply_intents(), gauges.reply_intents, "intent"),
        (counters.upstream_errors(), gauges.upstream_errors, "kind"),
    ):
        for name, count in counts.items():
            gauge.labels(**{label: name}).set(count)
    _refresh_recovery(Epochs(redis), gauges)
    now = context.clock.now().timestamp()
    for agenda, stamp in SyncState(redis).last_polls().items():
        gauges.poll_lag.labels(agenda=str(agenda)).set(max(0.0, now - stamp))
    depths = context.writer.depths()
    for queue in QUEUES_BY_PRIORITY:
        gauges.queue_depth.labels(queue=queue.value).set(depths[queue])


def _refresh_recovery(epochs: Epochs, gauges: IngressMetrics) -> None:
    """The epoch's recovery (`bridge.sending.recovery`): in it or not, and its counts."""
    epoch = epochs.read()
    counts = epochs.counts()
    gauges.recovery.set(1 if epoch is not None and epoch.recovering else 0)
    gauges.memory_lost.set(counts.get("memory_lost", 0))
    for outcome in ("found_sent", "email_skipped", "sms_skipped", "reply_skipped"):
        gauges.recovery_messages.labels(outcome=outcome).set(counts.get(outcome, 0))


def _from_redis(gauges: IngressMetrics) -> tuple[Gauge, ...]:
    return (gauges.events, gauges.messages, gauges.reply_intents, gauges.upstream_errors,
            gauges.poll_lag, gauges.intake_depth, gauges.queue_depth, gauges.memory_lost,
            gauges.recovery, gauges.recovery_messages)


class _OwnFigures(Collector):
    """The process's registry without the figures read from Redis."""

    def __init__(self, gauges: IngressMetrics) -> None:
        self.registry = gauges.registry
        self.left_out = {family.name for gauge in _from_redis(gauges)
                         for family in gauge.collect()}

    def collect(self) -> Iterable[Metric]:
        return [family for family in self.registry.collect()
                if family.name not in self.left_out]


async def metrics(request: Request) -> Response:
    context = context_of(request)
    gauges = context.metrics
    try:
        await run_in_threadpool(_refresh_shared_figures, context)
        gauges.intake_depth.set(await context.intake.depth())
    except (RedisError, OSError) as exc:
        log.warning("metrics_without_redis", error=type(exc).__name__)
        gauges.store_up.set(0)
        return Response(generate_latest(_OwnFigures(gauges)), media_type=CONTENT_TYPE_LATEST)
    gauges.store_up.set(1)
    return Response(generate_latest(gauges.registry), media_type=CONTENT_TYPE_LATEST)
