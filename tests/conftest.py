"""Suite-wide set-up: quiet structured logs, and a real Redis (db 15, flushed per test)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from redis import Redis
from redis.exceptions import RedisError

from bridge.observability.logging import configure_logging

# Popped, not read: every OABRIDGE_ variable the settings do not know stops load_settings.
REDIS_URL = os.environ.pop("OABRIDGE_TEST_REDIS_URL", "") or "redis://127.0.0.1:6379/15"
REDIS_HINT = (
    "Redis is not answering on 127.0.0.1:6379; the tests need a real one. Start it with: "
    "redis-server --daemonize yes --save '' --appendonly no"
)


def pytest_configure(config: pytest.Config) -> None:
    configure_logging(json=False, level="WARNING")


def pytest_sessionstart(session: pytest.Session) -> None:
    try:
        Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except (RedisError, OSError):
        pytest.exit(REDIS_HINT, returncode=3)


@pytest.fixture
def redis_url() -> str:
    return REDIS_URL


@pytest.fixture
def redis() -> Iterator[Redis]:
    connection = Redis.from_url(REDIS_URL)
    connection.flushdb()
    yield connection
    connection.flushdb()
    connection.close()
