"""uvicorn's HTTP/1.1 protocol (httptools) with a deadline and a size cap on each request's head.

uvicorn starts its keep-alive timer only after a response, and any byte received
stops it; nothing limits how long a request's head may take to arrive, and the
httptools parser limits neither its size (`h11_max_incomplete_event_size` exists
only for the slower h11 protocol). So a client that sent half its headers held the
connection for as long as it liked (40 s and more were seen). Here:

- the head (request line and headers) must be complete within `head_seconds` of the
  connection being made, or of the previous response; else 408 and the connection is
  closed (a connection that sent nothing is simply closed);
- a head larger than `head_bytes` is answered 431 and the connection closed.

Bodies are bounded by the app (`bridge.http.body`). `edge_protocol(limits)` makes the
class uvicorn is given (`bridge.http.server_config`).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

__all__ = ["HeadLimits", "edge_protocol"]


@dataclass(frozen=True)
class HeadLimits:
    #: Seconds for a request's head to arrive, from the connection or the last response.
    head_seconds: float = 10.0
    #: The most bytes a request line and headers may take (h11's default, too).
    head_bytes: int = 16 * 1024


def _answer(status: int, reason: str) -> bytes:
    return (f"HTTP/1.1 {status} {reason}\r\ncontent-length: 0\r\n"
            "connection: close\r\n\r\n").encode("ascii")


_TIMED_OUT = _answer(408, "Request Timeout")
_TOO_LARGE = _answer(431, "Request Header Fields Too Large")


class _EdgeProtocol(HttpToolsProtocol):
    limits = HeadLimits()

    def __init__(self, config: Config, server_state: ServerState, app_state: dict[str, Any],
                 _loop: asyncio.AbstractEventLoop | None = None) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self._head_timer: asyncio.TimerHandle | None = None
        #: Bytes received since the head began to be awaited; None once it is complete.
        self._head_bytes: int | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._await_head()

    def connection_lost(self, exc: Exception | None) -> None:
        self._head_complete()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._head_bytes is None:  # a body, or a pipelined request's head: not counted
            super().data_received(data)
            return
        # Feed only what the head may still take; if it is not complete within that, the
        # rest would be more head.
        room = max(0, self.limits.head_bytes - self._head_bytes)
        head, rest = data[:room], data[room:]
        self._head_bytes += len(head)
        if head:
            super().data_received(head)
        if rest and not self.transport.is_closing():
            if self._awaiting_head():  # feeding `head` did not complete it
                self._refuse(_TOO_LARGE)
            else:
                super().data_received(rest)

    def _awaiting_head(self) -> bool:
        return self._head_bytes is not None

    def on_headers_complete(self) -> None:
        self._head_complete()
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and self.cycle.response_complete:
            self._await_head()  # no pipelined request started: the next head is awaited

    def _await_head(self) -> None:
        self._head_complete()
        self._head_bytes = 0
        self._head_timer = self.loop.call_later(self.limits.head_seconds, self._head_timed_out)

    def _head_complete(self) -> None:
        self._head_bytes = None
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        started = bool(self._head_bytes)
        self._head_bytes = None
        if started:
            self._refuse(_TIMED_OUT)
        elif not self.transport.is_closing():
            self.transport.close()

    def _refuse(self, answer: bytes) -> None:
        self._head_complete()
        if not self.transport.is_closing():
            self.transport.write(answer)
            self.transport.close()


def edge_protocol(limits: HeadLimits) -> type[HttpToolsProtocol]:
    """The protocol class for uvicorn's `http=` option, with these limits."""
    return type("EdgeProtocol", (_EdgeProtocol,), {"limits": limits})
