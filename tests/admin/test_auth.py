"""Sessions and CSRF tokens, on the session records in a real Redis, without HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from redis import Redis
from redis.asyncio import Redis as AsyncRedis

from bridge.admin import auth
from bridge.settings import Settings, load_settings
from bridge.store.admin_sessions import AdminSessions

NOW = 1_800_000_000
T = TypeVar("T")


def settings(token: str = "first-token-0123456789") -> Settings:
    return load_settings({"OABRIDGE_ADMIN_TOKEN": token})


def on_redis(redis_url: str, work: Callable[[AdminSessions], Awaitable[T]]) -> T:
    async def go() -> T:
        connection = AsyncRedis.from_url(redis_url)
        try:
            return await work(AdminSessions(connection))
        finally:
            await connection.aclose()

    return asyncio.run(go())


def test_a_session_lasts_its_time_and_no_longer(redis: Redis, redis_url: str) -> None:
    async def work(sessions: AdminSessions) -> list[bool]:
        cookie = await auth.start_session(sessions, settings(), NOW)
        return [await auth.session_valid(sessions, settings(), cookie, NOW + age)
                for age in (0, auth.SESSION_SECONDS, auth.SESSION_SECONDS + 1, -30, -3600)]

    # -30: a replica whose clock runs behind the one that started the session
    assert on_redis(redis_url, work) == [True, True, False, True, False]


def test_logout_ends_the_session_everywhere(redis: Redis, redis_url: str) -> None:
    async def work(sessions: AdminSessions) -> list[bool]:
        cookie = await auth.start_session(sessions, settings(), NOW)
        other = await auth.start_session(sessions, settings(), NOW)
        await auth.end_session(sessions, cookie)
        return [await auth.session_valid(sessions, settings(), c, NOW) for c in (cookie, other)]

    assert on_redis(redis_url, work) == [False, True]


def test_a_session_is_bound_to_the_token_and_redis_holds_no_cookie(
    redis: Redis, redis_url: str
) -> None:
    async def work(sessions: AdminSessions) -> tuple[str, list[bool]]:
        cookie = await auth.start_session(sessions, settings(), NOW)
        checks = [await auth.session_valid(sessions, s, cookie, NOW)
                  for s in (settings("rotated-token-0123456789"), load_settings({}))]
        for garbage in ("", ".", "x", cookie[:-1], cookie + "x", f"{NOW}.{'0' * 64}"):
            checks.append(await auth.session_valid(sessions, settings(), garbage, NOW))
        return cookie, checks

    cookie, checks = on_redis(redis_url, work)
    assert checks == [False] * len(checks)
    assert "first-token" not in cookie
    stored = b"".join(redis.scan_iter()) + b"".join(v or b"" for v in
                                                    redis.mget(list(redis.scan_iter())))
    assert cookie.encode() not in stored and b"first-token" not in stored


def test_csrf_tokens_belong_to_one_session() -> None:
    token = auth.csrf_token(settings(), "one-session")
    assert auth.csrf_matches(token, auth.csrf_token(settings(), "one-session"))
    assert not auth.csrf_matches(token, auth.csrf_token(settings(), "two-session"))
    assert not auth.csrf_matches(token, "")


def test_the_token_check() -> None:
    assert auth.token_matches(settings(), "first-token-0123456789")
    assert not auth.token_matches(settings(), "first-token-012345678")
    assert not auth.token_matches(load_settings({}), "")  # no token: nobody gets in
