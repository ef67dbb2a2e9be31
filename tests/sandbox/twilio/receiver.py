"""A webhook receiver for the tests: a real HTTP endpoint that records what Twilio posts.

It answers with queued responses (status, body, content type) in order, then 200, and
lets a test wait for N requests with a deadline instead of sleeping.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


@dataclass(frozen=True)
class Received:
    url: str
    headers: dict[str, str]
    form: list[tuple[str, str]]

    @property
    def params(self) -> dict[str, str]:
        return dict(self.form)

    @property
    def signature(self) -> str:
        return self.headers.get("x-twilio-signature", "")


class Receiver:
    def __init__(self) -> None:
        self.base_url = ""
        self.requests: list[Received] = []
        self._answers: deque[tuple[int, str, str]] = deque()
        self._arrived = threading.Condition()

    def reset(self) -> None:
        with self._arrived:
            self.requests.clear()
            self._answers.clear()

    def url(self, path: str) -> str:
        return self.base_url + path

    def answer_next(self, status: int, body: str = "", content_type: str = "text/plain") -> None:
        with self._arrived:
            self._answers.append((status, body, content_type))

    def wait_for(self, count: int, timeout: float = 5.0) -> list[Received]:
        with self._arrived:
            if not self._arrived.wait_for(lambda: len(self.requests) >= count, timeout):
                raise AssertionError(f"{len(self.requests)} of {count} webhooks arrived")
            return list(self.requests)

    async def _handle(self, request: Request) -> Response:
        async with request.form() as form:
            pairs = [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
        with self._arrived:
            self.requests.append(Received(str(request.url), dict(request.headers), pairs))
            answer = self._answers.popleft() if self._answers else (200, "", "text/plain")
            self._arrived.notify_all()
        status, body, content_type = answer
        return Response(body, status_code=status, media_type=content_type)

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/{path:path}", self._handle, methods=["POST"])])
