"""Reading a request body with hard limits, before anything else looks at it.

Three limits, because a body is the one thing an unauthenticated caller makes the
ingress hold (a signature can only be checked over the whole body):

- size: more than `limit` bytes (64 KiB) is a 413, declared or streamed;
- time: the whole body must arrive within `BodyLimits.deadline_seconds` of the
  route asking for it, else 408. A client that sends part of a body and stalls
  held its connection and the bytes so far for as long as it liked;
- number: at most `BodyLimits.concurrent` bodies are read at once; one more is a 503
  with `Retry-After`, at once, so 2,500 stalled senders hold 64 bodies, not 2,500.

Each refusal closes the connection (`Connection: close`): the rest of a body nobody
will read is not waited for. The limits live on the app (`create_app(body_limits=)`),
so a test can use a short deadline with a client that really stalls. When a burst of
reads ends, the gate calls its `on_idle` hook (`bridge.http.allocator`), which gives
the freed memory back to the system.

A client that goes away mid-body raises starlette's `ClientDisconnect`, answered in
one log line by `bridge.http.problems`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from starlette.datastructures import State
from starlette.requests import Request

from bridge.http.problems import Problem

__all__ = ["CLOSE", "MAX_BODY_BYTES", "BodyGate", "BodyLimits", "read_limited"]

MAX_BODY_BYTES = 64 * 1024
#: Sent with every refusal of a body: the connection is not kept for another request.
CLOSE = {"Connection": "close"}


@dataclass(frozen=True)
class BodyLimits:
    #: Seconds from the route asking for the body to its last byte.
    deadline_seconds: float = 10.0
    #: Bodies read at once, across all routes of the app.
    concurrent: int = 64
    #: A burst this many reads deep gives memory back when it ends (see the module doc).
    burst: int = 16
    #: What a 503 tells the caller to wait, in seconds.
    retry_after: int = 2


class BodyGate:
    """How many bodies are being read now. Not thread-safe: one per app, on its loop."""

    def __init__(self, limits: BodyLimits, on_idle: Callable[[], object] | None = None) -> None:
        self.limits = limits
        self.reading = 0
        self._peak = 0
        self._on_idle = on_idle

    @contextmanager
    def slot(self) -> Iterator[None]:
        """One body's place, or a `Problem(503)` when every place is taken."""
        if self.reading >= self.limits.concurrent:
            raise Problem(503, "too many request bodies are being read; try again shortly",
                          {"Retry-After": str(self.limits.retry_after), **CLOSE})
        self.reading += 1
        self._peak = max(self._peak, self.reading)
        try:
            yield
        finally:
            self.reading -= 1
            if self.reading == 0:
                burst, self._peak = self._peak >= self.limits.burst, 0
                if burst and self._on_idle is not None:
                    self._on_idle()


def gate_in(state: State) -> BodyGate:
    """The gate of an app built by `bridge.http.app.create_app`."""
    gate: BodyGate | None = getattr(state, "body_gate", None)
    if gate is None:
        raise RuntimeError("no body gate: build the app with bridge.http.app.create_app")
    return gate


async def read_limited(request: Request, limit: int = MAX_BODY_BYTES) -> bytes:
    """The body, or a 413 as soon as it is known to be larger than `limit`, a 408 when
    it is not complete in time, a 503 when too many bodies are being read."""
    declared = request.headers.get("content-length")
    if declared is not None and _declares_more(declared, limit):
        raise Problem(413, f"body larger than {limit} bytes", CLOSE)
    gate = gate_in(request.app.state)
    deadline = gate.limits.deadline_seconds
    with gate.slot():
        try:
            async with asyncio.timeout(deadline):
                return await _read(request, limit)
        except TimeoutError:
            raise Problem(408, f"body not received within {deadline:g} s", CLOSE) from None


async def _read(request: Request, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise Problem(413, f"body larger than {limit} bytes", CLOSE)
        chunks.append(chunk)
    return b"".join(chunks)


def _declares_more(content_length: str, limit: int) -> bool:
    """Whether a Content-Length header announces more than `limit` bytes.

    ASCII digits only (`"²".isdigit()` is true, `int("²")` fails), and the length of
    the number before its value: `int` refuses a few thousand digits.
    """
    if not (content_length.isascii() and content_length.isdigit()):
        return False
    digits = content_length.lstrip("0")
    return len(digits) > len(str(limit)) or int(digits or "0") > limit
