"""How the edge answers Redis trouble: an outage and a burst are told apart.

A pool that ran out of connections (a burst outlasting `POOL_WAIT_SECONDS`) is not
Redis being down: it is answered 503 with a short `Retry-After` and logged at info,
with no `redis_unavailable` error line to page anyone.
"""

from __future__ import annotations

import httpx
import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import MaxConnectionsError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bridge.http.problems import exception_handlers
from tests.support.asgi_server import serve


def _answer_to(error: Exception) -> httpx.Response:
    """What a route raising `error` answers, over real HTTP."""

    async def endpoint(_request: Request) -> Response:
        raise error

    app = Starlette(routes=[Route("/", endpoint)], exception_handlers=exception_handlers)
    with serve(app) as url:
        return httpx.get(url + "/")


def test_a_pool_that_ran_out_is_a_busy_503(capfd: pytest.CaptureFixture[str]) -> None:
    capfd.readouterr()
    answer = _answer_to(MaxConnectionsError("no Redis connection free in time"))
    logged = "".join(capfd.readouterr())
    assert answer.status_code == 503 and answer.headers["retry-after"] == "2"
    assert "redis_unavailable" not in logged  # (its own line is at info, below the suite's level)


def test_redis_down_is_still_the_outage_503(capfd: pytest.CaptureFixture[str]) -> None:
    capfd.readouterr()
    answer = _answer_to(RedisConnectionError("Connection refused"))
    logged = "".join(capfd.readouterr())
    assert answer.status_code == 503 and answer.headers["retry-after"] == "5"
    assert "redis_unavailable" in logged
