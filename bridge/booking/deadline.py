"""One deadline for a whole booking-API attempt, kept at every socket operation.

httpx's timeouts act per operation: an upstream that sends one byte every few seconds
never trips a read timeout and can hold a call for as long as it likes, headers
included. So the client's connections use a network backend (httpcore's public
`NetworkBackend` interface) whose every connect, write and read is cut to what is left
of the attempt's deadline; with none left it raises httpcore's own timeout, which the
transport reports like any other. A read waits in slices of at most `ABORT_POLL_SECONDS`
so that an abort (the worker is stopping: `Transport.abort`) ends even a silent read
within that time.

The deadline and the abort flag travel in a context variable set around each attempt
(`attempt_budget`), so one pooled client serves every thread with each call's own
deadline.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx

__all__ = ["ABORT_POLL_SECONDS", "AttemptBudget", "CallAborted", "DeadlineTransport",
           "attempt_budget"]

#: The longest a read waits before looking at the abort flag again.
ABORT_POLL_SECONDS = 0.25


class CallAborted(Exception):
    """The call was abandoned on purpose: the process is stopping."""


@dataclass(frozen=True, slots=True)
class AttemptBudget:
    """When the current attempt must be over (monotonic seconds), and its abort flag."""

    deadline: float
    abort: threading.Event

    def left(self, timeout: float | None, error: type[Exception]) -> float:
        """`timeout` cut to the time left; raises `error` when none is left."""
        if self.abort.is_set():
            raise CallAborted("the booking-API call was abandoned: the worker is stopping")
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise error("the booking-API call ran past its deadline")
        return left if timeout is None else min(timeout, left)


_budget: ContextVar[AttemptBudget | None] = ContextVar("booking_attempt_budget", default=None)


@contextmanager
def attempt_budget(seconds: float, abort: threading.Event) -> Iterator[AttemptBudget]:
    """Every socket operation inside this block ends within `seconds` from now."""
    budget = AttemptBudget(time.monotonic() + seconds, abort)
    token = _budget.set(budget)
    try:
        yield budget
    finally:
        _budget.reset(token)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        budget = _budget.get()
        if budget is None:
            return self._stream.read(max_bytes, timeout)
        ends = time.monotonic() + budget.left(timeout, httpcore.ReadTimeout)
        while True:
            wait = min(ABORT_POLL_SECONDS, budget.left(ends - time.monotonic(),
                                                        httpcore.ReadTimeout))
            if wait <= 0:
                raise httpcore.ReadTimeout("no answer within the read timeout")
            try:
                # A socket timeout consumes nothing (TLS keeps a partial record), so
                # reading again after a slice is safe.
                return self._stream.read(max_bytes, wait)
            except httpcore.ReadTimeout:
                continue

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        budget = _budget.get()
        if budget is not None:
            timeout = budget.left(timeout, httpcore.WriteTimeout)
        self._stream.write(buffer, timeout)

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        budget = _budget.get()
        if budget is not None:
            timeout = budget.left(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self) -> None:
        self._backend = httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        budget = _budget.get()
        if budget is not None:
            timeout = budget.left(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._backend.connect_tcp(
            host, port, timeout, local_address=local_address, socket_options=socket_options))

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[Any] | None = None
                            ) -> httpcore.NetworkStream:
        raise NotImplementedError("the booking API is reached over TCP")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


_MAPPED: tuple[tuple[type[Exception], type[httpx.HTTPError]], ...] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
    (httpcore.ProxyError, httpx.ProxyError),
)


@contextmanager
def _httpx_errors() -> Iterator[None]:
    """httpcore's errors as the httpx errors the transport catches."""
    try:
        yield
    except Exception as exc:
        for source, target in _MAPPED:
            if isinstance(exc, source):
                raise target(str(exc)) from exc
        raise


class _BodyStream(httpx.SyncByteStream):
    def __init__(self, stream: Iterable[bytes]) -> None:
        self._stream = stream

    def __iter__(self) -> Iterator[bytes]:
        with _httpx_errors():
            yield from self._stream

    def close(self) -> None:
        close = getattr(self._stream, "close", None)
        if close is not None:
            with _httpx_errors():
                close()


class DeadlineTransport(httpx.BaseTransport):
    """httpx's plain HTTP/1.1 transport over the deadline-keeping network backend (no
    proxy from the environment: the booking API is reached directly)."""

    def __init__(self, limits: httpx.Limits) -> None:
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),  # as httpx's own: certifi, SSL_CERT_FILE
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=_DeadlineBackend(),
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.SyncByteStream)
        core = httpcore.Request(
            method=request.method,
            url=httpcore.URL(scheme=request.url.raw_scheme, host=request.url.raw_host,
                             port=request.url.port, target=request.url.raw_path),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        with _httpx_errors():
            answer = self._pool.handle_request(core)
        assert isinstance(answer.stream, Iterable)
        return httpx.Response(status_code=answer.status, headers=answer.headers,
                              stream=_BodyStream(answer.stream), extensions=answer.extensions)

    def close(self) -> None:
        self._pool.close()
