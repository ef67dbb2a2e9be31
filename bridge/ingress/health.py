"""`/healthz`, `/readyz` and `/metrics`.

Liveness says only that the process answers; readiness that Redis answers too (an
ingress that cannot enqueue should get no traffic). Metrics combine this process's
counters with figures every process writes to Redis (events by type, poll lag).
"""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from redis.exceptions import RedisError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bridge.http.context import context_of
from bridge.queueing.jobs import QUEUES_BY_PRIORITY
from bridge.store import keys
from bridge.store.text import as_text

__all__ = ["healthz", "metrics", "readyz"]


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


async def _refresh_shared_figures(request: Request) -> None:
    context = context_of(request)
    redis = context.redis
    for key, gauge, label in (
        (keys.EVENT_COUNTS, context.metrics.events, "type"),
        (keys.MESSAGE_COUNTS, context.metrics.messages, "status"),
        (keys.INTENT_COUNTS, context.metrics.reply_intents, "intent"),
        (keys.UPSTREAM_ERROR_COUNTS, context.metrics.upstream_errors, "kind"),
    ):
        for name, count in (await redis.hgetall(key)).items():
            gauge.labels(**{label: as_text(name)}).set(int(count))
    now = context.clock.now().timestamp()
    async for key in redis.scan_iter(match=keys.last_poll(0).rsplit(":", 1)[0] + ":*"):
        stamp = await redis.get(key)
        if stamp is not None:
            agenda = (key.decode() if isinstance(key, bytes) else key).rsplit(":", 1)[1]
            context.metrics.poll_lag.labels(agenda=agenda).set(max(0.0, now - float(stamp)))
    context.metrics.intake_depth.set(await redis.llen(keys.INTAKE))
    for queue in QUEUES_BY_PRIORITY:
        depth = await redis.llen(context.writer.queue(queue).key)
        context.metrics.queue_depth.labels(queue=queue.value).set(depth)


async def metrics(request: Request) -> Response:
    await _refresh_shared_figures(request)
    body = generate_latest(context_of(request).metrics.registry)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
