"""Finding 6 of #15, as a reviewer found it against a real `oabridge serve`: the login
limit held for guesses in a row, not for guesses at once.

- 300 concurrent wrong logins from one address had 102 tokens checked (the limit is
  10): every request read the count before any added to it.
- About 100 concurrent logins emptied the ingress's asyncio Redis pool (redis-py's
  default: 100 connections, then `MaxConnectionsError`), answered 503 and logged at
  error level as `redis_unavailable`, as if Redis were down; and the login touched
  Redis before the body gate (64 bodies at once) applied.

Over real HTTP, on a manual clock and the suite's Redis; all requests are sent at once
from asyncio (one connection each), and the server's log is read from the captured
output (it runs in this process).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime

import httpx
import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import MaxConnectionsError

from bridge.clock import ManualClock
from bridge.store.connection import connect_async
from bridge.store.login_failures import PER_CLIENT, WINDOW_SECONDS
from tests.admin import conftest as admin_fixtures
from tests.admin.conftest import ADMIN_TOKEN, Admin, StartAdmin

#: The operator page served over real HTTP (tests/admin's fixture).
start_admin = admin_fixtures.start_admin
#: 100 s into a window, so the clock is not at its edge.
THEN = datetime.fromtimestamp((1_800_000_000 // WINDOW_SECONDS) * WINDOW_SECONDS + 100, UTC)
GUESS = "a-wrong-guess-0123456789"
#: The body gate's refusal (`bridge.http.body`): the one 5xx a burst may get.
GATE_REFUSAL = "too many request bodies"


async def _at_once(url: str, tokens: list[str]) -> list[httpx.Response]:
    """POST one login per token, all at once, each on its own connection."""
    limits = httpx.Limits(max_connections=len(tokens), max_keepalive_connections=0)
    async with httpx.AsyncClient(limits=limits, timeout=60) as http:
        return list(await asyncio.gather(*(
            http.post(f"{url}/admin/login", data={"token": token}) for token in tokens)))


def _lines(logged: str, event: str) -> list[str]:
    return [line for line in logged.splitlines() if event in line]


def test_concurrent_guesses_from_one_address_get_no_more_than_its_share(
    start_admin: StartAdmin, capfd: pytest.CaptureFixture[str],
) -> None:
    admin: Admin = start_admin(clock=ManualClock(THEN))
    capfd.readouterr()
    answers = asyncio.run(_at_once(admin.url, [f"{GUESS}{n}" for n in range(50)]))
    logged = "".join(capfd.readouterr())
    statuses = Counter(answer.status_code for answer in answers)
    assert statuses == {401: PER_CLIENT, 429: 50 - PER_CLIENT}, statuses
    assert len(_lines(logged, "admin_login_failed")) == PER_CLIENT
    assert GUESS not in logged
    # Refused, not checked: even the right token is not looked at now.
    assert asyncio.run(_at_once(admin.url, [ADMIN_TOKEN]))[0].status_code == 429


def test_a_right_login_costs_no_guess(start_admin: StartAdmin) -> None:
    """Each attempt takes a guess before its token is compared; a right one gives it back."""
    admin = start_admin(clock=ManualClock(THEN))
    guesses = [f"{GUESS}{n}" for n in range(PER_CLIENT - 1)]
    statuses = Counter(answer.status_code for answer in asyncio.run(_at_once(admin.url, guesses)))
    assert statuses == {401: PER_CLIENT - 1}
    for token, status in [(ADMIN_TOKEN, 303), (ADMIN_TOKEN, 303), (GUESS, 401),
                          (ADMIN_TOKEN, 429)]:
        assert asyncio.run(_at_once(admin.url, [token]))[0].status_code == status


def test_a_burst_of_logins_waits_for_redis_instead_of_failing(
    start_admin: StartAdmin, capfd: pytest.CaptureFixture[str],
) -> None:
    admin = start_admin(clock=ManualClock(THEN))
    capfd.readouterr()
    tokens = [ADMIN_TOKEN if n % 3 == 0 else f"{GUESS}{n}" for n in range(150)]
    answers = asyncio.run(_at_once(admin.url, tokens))
    logged = "".join(capfd.readouterr())
    failed = [answer for answer in answers if answer.status_code >= 500]
    assert all(answer.status_code == 503 and "retry-after" in answer.headers
               and GATE_REFUSAL in answer.text for answer in failed), \
        [(answer.status_code, answer.text[:80]) for answer in failed]
    assert not _lines(logged, "redis_unavailable")
    assert {answer.status_code for answer in answers} <= {303, 401, 429, 503}


def test_a_pool_that_runs_out_is_logged_as_such_not_as_redis_down(
    redis_url: str, capfd: pytest.CaptureFixture[str],
) -> None:
    """What is left when a burst outlasts the wait: its own event, and still a 503."""

    async def run() -> None:
        redis = connect_async(redis_url, max_connections=1, pool_wait=0.05)
        try:
            held = asyncio.create_task(redis.blpop(["nothing-comes"], timeout=1))
            await asyncio.sleep(0)  # the BLPOP takes the one connection
            with pytest.raises(MaxConnectionsError):
                await redis.ping()
            assert await held is None
            assert await redis.ping()  # free again
        finally:
            await redis.aclose()

    capfd.readouterr()
    asyncio.run(run())
    logged = "".join(capfd.readouterr())
    assert len(_lines(logged, "redis_pool_exhausted")) == 1
    assert issubclass(MaxConnectionsError, RedisConnectionError)  # answered 503
