"""The per-number reply counter: a fixed window that always expires, one per number."""

from __future__ import annotations

import asyncio

from redis import Redis
from redis.asyncio import Redis as AsyncRedis

from bridge.store import keys
from bridge.store.reply_rate import REPLIES_PER_WINDOW, WINDOW_SECONDS, ReplyRate

PHONE, OTHER = "+31611111111", "+31622222222"


def allowed(redis_url: str, phones: list[str], limit: int = REPLIES_PER_WINDOW) -> list[bool]:
    async def go() -> list[bool]:
        connection = AsyncRedis.from_url(redis_url)
        try:
            rate = ReplyRate(connection, limit=limit)
            return [await rate.allow(phone) for phone in phones]
        finally:
            await connection.aclose()

    return asyncio.run(go())


def test_a_number_over_the_limit_is_refused_and_others_are_not(
    redis: Redis, redis_url: str
) -> None:
    answers = allowed(redis_url, [PHONE] * (REPLIES_PER_WINDOW + 2) + [OTHER])
    assert answers == [True] * REPLIES_PER_WINDOW + [False, False, True]
    assert redis.get(keys.reply_rate(PHONE)) == str(REPLIES_PER_WINDOW + 2).encode()


def test_the_window_starts_at_the_first_reply_and_is_not_pushed_on(
    redis: Redis, redis_url: str
) -> None:
    allowed(redis_url, [PHONE])
    assert 0 < redis.ttl(keys.reply_rate(PHONE)) <= WINDOW_SECONDS
    redis.expire(keys.reply_rate(PHONE), 30)
    allowed(redis_url, [PHONE, PHONE])
    assert 0 < redis.ttl(keys.reply_rate(PHONE)) <= 30


def test_a_counter_left_without_expiry_gets_one(redis: Redis, redis_url: str) -> None:
    """An older release set the expiry in a second call; a counter whose EXPIRE was
    lost would otherwise silence its number for good."""
    redis.set(keys.reply_rate(PHONE), REPLIES_PER_WINDOW + 5)
    assert allowed(redis_url, [PHONE]) == [False]
    assert 0 < redis.ttl(keys.reply_rate(PHONE)) <= WINDOW_SECONDS


def test_the_limit_is_the_stores_to_set(redis: Redis, redis_url: str) -> None:
    assert allowed(redis_url, [PHONE] * 3, limit=2) == [True, True, False]
