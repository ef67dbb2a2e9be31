"""Counting answers by route and status, for `/metrics` (plain ASGI: no BaseHTTPMiddleware).

Only the paths it is given are counted by name; every other path (the operator page,
a scanner's guesses) is counted as "other", so the metric's labels stay few.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bridge.http.context import context_in

__all__ = ["RequestCounter"]


class RequestCounter:
    def __init__(self, app: ASGIApp, paths: Iterable[str]) -> None:
        self.app = app
        self.paths = frozenset(paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        route = path if path in self.paths else "other"
        requests = context_in(scope["app"].state).metrics.requests

        async def counting_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                requests.labels(route=route, status=str(message["status"])).inc()
            await send(message)

        await self.app(scope, receive, counting_send)
