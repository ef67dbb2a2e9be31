"""The connection factory under Sentinel: the primary found through the Sentinels, the
same timeouts on every connection, the ingress's pool still a blocking one, the URL's
database kept, and the Sentinels' connections closed with the client."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from redis.asyncio import BlockingConnectionPool

from bridge.settings.redis_target import ConfiguredRedis
from bridge.store.connection import (
    ASYNC_POOL_CONNECTIONS,
    CONNECT_TIMEOUT_SECONDS,
    POOL_WAIT_SECONDS,
    SOCKET_TIMEOUT_SECONDS,
    connect,
    connect_async,
)
from tests.support.redis_topology import FailoverTopology

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def topology() -> Iterator[FailoverTopology]:
    with FailoverTopology.start("oabridge") as started:
        yield started


def target(topology: FailoverTopology) -> ConfiguredRedis:
    # The URL's host and port are not used; its database is.
    return ConfiguredRedis("redis://nowhere.invalid:1/3", tuple(topology.sentinels.addresses),
                           topology.name)


def test_the_sync_client_reaches_the_primary_through_the_sentinels(
        topology: FailoverTopology) -> None:
    redis = connect(target(topology))
    try:
        redis.set("sentinel:probe", "1")
        kwargs = redis.connection_pool.connection_kwargs
        assert (kwargs["socket_timeout"], kwargs["socket_connect_timeout"], kwargs["db"]) == \
            (SOCKET_TIMEOUT_SECONDS, CONNECT_TIMEOUT_SECONDS, 3)
        sentinels = redis.connection_pool.sentinel_manager.sentinels  # type: ignore[attr-defined]
        assert all(s.connection_pool.connection_kwargs["socket_timeout"]
                   == SOCKET_TIMEOUT_SECONDS for s in sentinels)
    finally:
        redis.close()
    direct = topology.primary.client(db=3)
    try:
        assert direct.get("sentinel:probe") == b"1"
    finally:
        direct.close()


def test_the_ingress_pool_under_sentinel_still_blocks_for_a_connection(
        topology: FailoverTopology) -> None:
    async def use() -> None:
        redis = connect_async(target(topology), socket_timeout=5.0)
        try:
            pool = redis.connection_pool
            assert isinstance(pool, BlockingConnectionPool)
            assert (pool.max_connections, pool.timeout) == (ASYNC_POOL_CONNECTIONS,
                                                            POOL_WAIT_SECONDS)
            assert pool.connection_kwargs["socket_timeout"] == 5.0
            await redis.set("sentinel:async", "1")
            assert await redis.get("sentinel:async") == b"1"
        finally:
            await redis.aclose()

    asyncio.run(use())
