"""The ingress application: routes, error answers, request metrics.

`create_app(settings)` refuses to build an ingress that would accept unsigned
notices (no webhook secret) unless the settings say sandbox mode.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bridge.admin import admin_routes
from bridge.ingress.context import IngressContext
from bridge.ingress.health import healthz, metrics, readyz
from bridge.ingress.openapi import openapi_document
from bridge.ingress.problems import exception_handlers
from bridge.ingress.triggers import poll_trigger
from bridge.ingress.twilio_inbound import twilio_inbound
from bridge.ingress.twilio_status import twilio_status
from bridge.ingress.webhooks import booking_webhook
from bridge.settings import Settings, SettingsError

__all__ = ["create_app"]


async def _openapi(_request: Request) -> JSONResponse:
    return JSONResponse(openapi_document())


ROUTES = [
    Route("/webhooks/booking", booking_webhook, methods=["POST"]),
    Route("/triggers/poll", poll_trigger, methods=["POST"]),
    Route("/twilio/status", twilio_status, methods=["POST"]),
    Route("/twilio/inbound", twilio_inbound, methods=["POST"]),
    Route("/healthz", healthz, methods=["GET"]),
    Route("/readyz", readyz, methods=["GET"]),
    Route("/metrics", metrics, methods=["GET"]),
    Route("/openapi.json", _openapi, methods=["GET"]),
]


class RequestCounter:
    """Counts answers by route and status (plain ASGI: no BaseHTTPMiddleware)."""

    def __init__(self, app: ASGIApp, context: IngressContext) -> None:
        self.app = app
        self.context = context

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        route = path if any(path == r.path for r in ROUTES) else "other"

        async def counting_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.context.metrics.requests.labels(
                    route=route, status=str(message["status"])
                ).inc()
            await send(message)

        await self.app(scope, receive, counting_send)


def create_app(settings: Settings, context: IngressContext | None = None) -> Starlette:
    if not settings.webhook_secret.get_secret_value() and not settings.sandbox_mode:
        raise SettingsError(
            "OABRIDGE_WEBHOOK_SECRET: required (set OABRIDGE_SANDBOX_MODE=1 only for a local demo)"
        )
    ctx = context or IngressContext.build(settings)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        await ctx.redis.aclose()

    app = Starlette(routes=[*ROUTES, *admin_routes()], exception_handlers=exception_handlers,
                    lifespan=lifespan)
    app.state.ingress = ctx
    app.add_middleware(RequestCounter, context=ctx)
    return app
