"""A correlation id that follows one change from webhook or poll to the provider call.

The ingress binds the notice's `webhook-id`; it travels with the intake entry into
the RQ job's meta; a job binds its correlation id (or its own id) for every log line
it writes; planned messages remember the id of the change that planned them, and the
send job binds it again, so `grep correlation_id=…` shows the whole path.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import structlog

__all__ = ["KEY", "correlated", "current_correlation"]

KEY = "correlation_id"


def current_correlation() -> str | None:
    value = structlog.contextvars.get_contextvars().get(KEY)
    return str(value) if value else None


@contextmanager
def correlated(correlation_id: str | None) -> Iterator[None]:
    """Bind `correlation_id` for the logs written inside the block (no-op for None)."""
    if not correlation_id:
        yield
        return
    with structlog.contextvars.bound_contextvars(**{KEY: correlation_id}):
        yield
