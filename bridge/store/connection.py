"""Every Redis connection the bridge opens, with one timeout policy and bounded pools.

A connection without timeouts turns a Redis that stops answering (a failover, a
network partition) into a process that hangs for good; with them, the call raises,
the job is retried and the ingress answers 503. Blocking commands (the relay's
BLMOVE, the worker's dequeue) block for at most a few seconds, well inside the
socket timeout.

The ingress's asyncio pool is a blocking one: redis-py's default pool opens up to 100
connections and then raises `MaxConnectionsError`, so about 100 concurrent requests
were answered 503 and logged as if Redis were down. Here a burst waits (at most
`POOL_WAIT_SECONDS`) for one of `ASYNC_POOL_CONNECTIONS` connections; a wait that
runs out is logged as `redis_pool_exhausted`, not as an outage, and raises
`MaxConnectionsError` (still a `ConnectionError`, so the caller answers 503). The sync
pool keeps redis-py's default: its users are single-threaded (workers, commands) or
the ingress's thread pool (40 threads), far below its 100 connections.

Under Redis Sentinel (`RedisTarget.sentinels`) each pool is redis-py's Sentinel-managed
one: a new connection asks the Sentinels where the primary is now, and one that finds
it demoted (READONLY) is dropped, so the next command reaches the promoted replica.
The same timeouts hold for the Sentinels and for the primary. The ingress's pool is
still a blocking one: redis-py's asyncio `SentinelConnectionPool` is a plain pool, so
it is joined here with the same waiting pool (`_SentinelWaitingPool`). The URL gives
the database, credentials and TLS (`rediss://`); its host and port are not used.
Closing a client closes the connections to its Sentinels too.
"""

from __future__ import annotations

import time
from typing import Any

import structlog
from redis import Redis
from redis.asyncio import BlockingConnectionPool
from redis.asyncio import Redis as AsyncRedis
from redis.asyncio.connection import SSLConnection as AsyncSSLConnection
from redis.asyncio.sentinel import Sentinel as AsyncSentinel
from redis.asyncio.sentinel import SentinelConnectionPool as AsyncSentinelPool
from redis.connection import SSLConnection, parse_url
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import MaxConnectionsError
from redis.sentinel import Sentinel

from bridge.store.redis_target import RedisTarget, as_target

__all__ = [
    "ASYNC_POOL_CONNECTIONS",
    "CONNECT_TIMEOUT_SECONDS",
    "POOL_WAIT_SECONDS",
    "SOCKET_TIMEOUT_SECONDS",
    "connect",
    "connect_async",
]

log = structlog.get_logger(__name__)

#: How long to wait for a connection to Redis to open.
CONNECT_TIMEOUT_SECONDS = 5.0
#: How long any one command may take to answer, blocking commands included.
SOCKET_TIMEOUT_SECONDS = 10.0
#: Connections an ingress process opens at most: its commands take a millisecond, so a
#: burst shares them; 64 like the bodies read at once (`bridge.http.body`).
ASYNC_POOL_CONNECTIONS = 64
#: How long a request waits for a free connection before it is answered 503.
POOL_WAIT_SECONDS = 5.0


class _WaitingPool(BlockingConnectionPool):
    """A blocking pool whose running out is an event of its own in the log."""

    async def get_connection(self, *args: Any, **kwargs: Any) -> Any:
        started = time.monotonic()
        try:
            return await super().get_connection(*args, **kwargs)  # type: ignore[no-untyped-call]
        except RedisConnectionError as exc:
            if not isinstance(exc.__cause__, TimeoutError):
                raise  # Redis itself: not answering, refusing, gone
            log.warning("redis_pool_exhausted", connections=self.max_connections,
                        waited_seconds=round(time.monotonic() - started, 3))
            raise MaxConnectionsError("no Redis connection free in time") from exc


class _SentinelWaitingPool(AsyncSentinelPool, _WaitingPool):
    """redis-py's Sentinel-managed asyncio pool, blocking as `_WaitingPool` is."""


class _SentinelRedis(Redis):
    """A client of the primary that closes its Sentinels' connections with its own."""

    def close(self) -> None:
        try:
            super().close()
        finally:
            getattr(self.connection_pool, "sentinel_manager").close()  # noqa: B009


class _AsyncSentinelRedis(AsyncRedis):
    async def aclose(self, close_connection_pool: bool | None = None) -> None:
        try:
            await super().aclose(close_connection_pool)
        finally:
            await getattr(self.connection_pool, "sentinel_manager").aclose()  # noqa: B009


def _primary_kwargs(url: str, ssl_class: type) -> dict[str, Any]:
    """What a connection to the primary takes from the URL: not where it is, and not the
    timeouts, which are the bridge's own (the settings refuse them in the URL; a bare URL
    passed here would otherwise clash with them: two values for one keyword)."""
    kwargs: dict[str, Any] = parse_url(url)  # type: ignore[no-untyped-call]
    for name in ("host", "port", "socket_timeout", "socket_connect_timeout"):
        kwargs.pop(name, None)
    if issubclass(kwargs.pop("connection_class", object), ssl_class):
        kwargs["ssl"] = True  # the Sentinel pool picks its own SSL connection class
    return kwargs


def connect(target: RedisTarget | str, *,
            socket_timeout: float = SOCKET_TIMEOUT_SECONDS) -> Redis:
    """A connection pool for threads and processes (workers, commands)."""
    found = as_target(target)
    timeouts = {"socket_timeout": socket_timeout,
                "socket_connect_timeout": CONNECT_TIMEOUT_SECONDS}
    if not found.sentinels:
        return Redis.from_url(found.url, **timeouts)
    sentinel = Sentinel(list(found.sentinels),  # type: ignore[no-untyped-call]
                        sentinel_kwargs=dict(timeouts))
    primary: Redis = sentinel.master_for(  # type: ignore[no-untyped-call]
        found.sentinel_master, redis_class=_SentinelRedis,
        **_primary_kwargs(found.url, SSLConnection), **timeouts)
    return primary


def connect_async(target: RedisTarget | str, *,
                  socket_timeout: float = SOCKET_TIMEOUT_SECONDS,
                  max_connections: int = ASYNC_POOL_CONNECTIONS,
                  pool_wait: float = POOL_WAIT_SECONDS) -> AsyncRedis:
    """A connection pool for the asyncio ingress; open it in the app's lifespan. The
    client owns the pool: closing it closes the pool."""
    found = as_target(target)
    timeouts = {"socket_timeout": socket_timeout,
                "socket_connect_timeout": CONNECT_TIMEOUT_SECONDS}
    if not found.sentinels:
        pool = _WaitingPool.from_url(found.url, max_connections=max_connections,
                                     timeout=pool_wait, **timeouts)
        return AsyncRedis.from_pool(pool)
    sentinel = AsyncSentinel(list(found.sentinels),  # type: ignore[no-untyped-call]
                             sentinel_kwargs=dict(timeouts))
    primary: AsyncRedis = sentinel.master_for(
        found.sentinel_master, redis_class=_AsyncSentinelRedis,
        connection_pool_class=_SentinelWaitingPool, max_connections=max_connections,
        timeout=pool_wait, **_primary_kwargs(found.url, AsyncSSLConnection), **timeouts)
    return primary
