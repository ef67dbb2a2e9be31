"""Clear JSON error answers, and the edge's refusal to leak tracebacks.

Every refusal is `{"error": "<what is wrong>"}` with the right status code. Redis
being unreachable is a 503 (try again later), never a 500 with a traceback. A client
that goes away before its body is read is one line at info, not a traceback (5,501
disconnects made 32 MB of log): the answer, 499 as nginx counts it, reaches nobody
and only the request counter sees it.

A claim the primary took but too few replicas acknowledged in time
(`OABRIDGE_REDIS_MIN_REPLICAS`, `bridge.store.replication`) is a 503 too. A booking
webhook's sender delivers again, and the redelivery is accepted once it is safe (a
duplicate if the primary lived, accepted anew on a promoted replica that never saw it).
Twilio does not retry an inbound message after a 5xx (it tries the Fallback URL, if
any): such a reply is found by the inbound reconciliation, which lists Twilio's
received messages (`bridge.replies.reconcile`).
"""

from __future__ import annotations

import structlog
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import MaxConnectionsError
from redis.exceptions import TimeoutError as RedisTimeoutError
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response

from bridge.store.replication import NotReplicatedError

__all__ = ["CLIENT_CLOSED_REQUEST", "Problem", "exception_handlers", "problem"]

log = structlog.get_logger(__name__)

#: The status counted for a request whose client went away before it was answered.
CLIENT_CLOSED_REQUEST = 499


class Problem(Exception):
    """A request refused with a status code and a message for the caller."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers


def problem(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers)


async def _on_problem(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Problem)
    return problem(exc.status, exc.message, exc.headers)


async def _on_http(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return problem(exc.status_code, str(exc.detail), dict(exc.headers or {}))


async def _on_redis_down(request: Request, exc: Exception) -> Response:
    log.error("redis_unavailable", path=request.url.path, error=type(exc).__name__)
    return problem(503, "the queue store (Redis) is unavailable; try again later",
                   {"Retry-After": "5"})


async def _on_busy(request: Request, _exc: Exception) -> Response:
    """Every connection of the pool stayed in use for its whole wait: a burst, not an
    outage (`bridge.store.connection` has logged it as `redis_pool_exhausted`)."""
    log.info("busy_answered", path=request.url.path)
    return problem(503, "too many requests at once; try again shortly", {"Retry-After": "2"})


async def _on_not_replicated(request: Request, _exc: Exception) -> Response:
    """Logged as `claim_not_replicated` where it was found; here only the answer."""
    log.info("not_replicated_answered", path=request.url.path)
    return problem(503, "not accepted: the queue store's replicas did not confirm it in "
                   "time; deliver it again", {"Retry-After": "2"})


async def _on_disconnect(request: Request, _exc: Exception) -> Response:
    log.info("client_disconnected", path=request.url.path)
    return Response(status_code=CLIENT_CLOSED_REQUEST)


async def _on_unexpected(request: Request, exc: Exception) -> Response:
    log.exception("ingress_error", path=request.url.path)
    return problem(500, "internal error; nothing was accepted")


exception_handlers = {
    Problem: _on_problem,
    HTTPException: _on_http,
    MaxConnectionsError: _on_busy,  # a subclass of ConnectionError: the more specific wins
    RedisConnectionError: _on_redis_down,
    NotReplicatedError: _on_not_replicated,
    RedisTimeoutError: _on_redis_down,
    ClientDisconnect: _on_disconnect,
    Exception: _on_unexpected,
}
