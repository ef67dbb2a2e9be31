"""The service's HTTP application: the ingress's routes, the operator page, their answers.

`create_app(settings)` refuses to build an ingress that would accept unsigned notices
(no webhook secret) unless the settings say sandbox mode. It builds no connection: the
app opens its context (`bridge.http.context`) when it starts serving and closes it
when it stops. Every route takes "now" from the context's clock: the system clock, or
the one passed in (tests run the ingress on a manual clock). Request bodies are read
within the app's `BodyLimits` (`bridge.http.body`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette

from bridge.admin import admin_routes
from bridge.clock import Clock, SystemClock
from bridge.http import allocator
from bridge.http.body import BodyGate, BodyLimits
from bridge.http.context import AppContext
from bridge.http.problems import exception_handlers
from bridge.http.request_counter import RequestCounter
from bridge.ingress.routes import ROUTES
from bridge.settings import Settings, SettingsError

__all__ = ["create_app"]


def create_app(settings: Settings, context: AppContext | None = None,
               clock: Clock | None = None, body_limits: BodyLimits | None = None) -> Starlette:
    """The app. It serves `context` if given, else opens its own on `clock` (the system
    clock by default) when it starts; either way it closes the context when it stops
    (the asyncio connections belong to the loop that served them). `body_limits`:
    the defaults unless a test needs a shorter deadline or fewer places."""
    if not settings.webhook_secret.get_secret_value() and not settings.sandbox_mode:
        raise SettingsError(
            "OABRIDGE_WEBHOOK_SECRET: required (set OABRIDGE_SANDBOX_MODE=1 only for a local demo)"
        )
    if context is not None and clock is not None:
        raise ValueError("create_app: pass the clock inside the context, not both")

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        opened = context or AppContext.open(settings, clock or SystemClock())
        app.state.context = opened
        try:
            yield
        finally:
            await opened.aclose()

    app = Starlette(routes=[*ROUTES, *admin_routes()], exception_handlers=exception_handlers,
                    lifespan=lifespan)
    # Starlette would answer `/healthz/` with a redirect to an absolute URL built from the
    # request's Host header (an open redirect, POSTs included): a wrong path is a 404.
    app.router.redirect_slashes = False
    app.state.body_gate = BodyGate(body_limits or BodyLimits(), on_idle=allocator.release)
    app.add_middleware(RequestCounter, paths=[route.path for route in ROUTES])
    return app
