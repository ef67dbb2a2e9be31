"""Every Redis connection the bridge opens, with one timeout policy.

A connection without timeouts turns a Redis that stops answering (a failover, a
network partition) into a process that hangs for good; with them, the call raises,
the job is retried and the ingress answers 503. Blocking commands (the relay's
BLMOVE, the worker's dequeue) block for at most a few seconds, well inside the
socket timeout.
"""

from __future__ import annotations

from redis import Redis
from redis.asyncio import Redis as AsyncRedis

__all__ = ["CONNECT_TIMEOUT_SECONDS", "SOCKET_TIMEOUT_SECONDS", "connect", "connect_async"]

#: How long to wait for a connection to Redis to open.
CONNECT_TIMEOUT_SECONDS = 5.0
#: How long any one command may take to answer, blocking commands included.
SOCKET_TIMEOUT_SECONDS = 10.0


def connect(url: str, *, socket_timeout: float = SOCKET_TIMEOUT_SECONDS) -> Redis:
    """A connection pool for threads and processes (workers, commands)."""
    return Redis.from_url(url, socket_timeout=socket_timeout,
                          socket_connect_timeout=CONNECT_TIMEOUT_SECONDS)


def connect_async(url: str, *, socket_timeout: float = SOCKET_TIMEOUT_SECONDS) -> AsyncRedis:
    """A connection pool for the asyncio ingress; open it in the app's lifespan."""
    return AsyncRedis.from_url(url, socket_timeout=socket_timeout,
                               socket_connect_timeout=CONNECT_TIMEOUT_SECONDS)
