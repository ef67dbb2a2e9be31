"""Job functions log with the correlation id of the change that caused them."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from rq import get_current_job

from bridge.booking import BookingError
from bridge.observability.correlation import correlated
from bridge.store import keys
from workers import runtime

__all__ = ["traced"]

P = ParamSpec("P")
R = TypeVar("R")


def traced(function: Callable[P, R]) -> Callable[P, R]:
    """Bind the job's correlation id (from its meta, else the job id) while it runs."""

    @functools.wraps(function)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        job = get_current_job()
        correlation = (job.meta.get("cid") or job.id) if job is not None else None
        with correlated(correlation):
            try:
                return function(*args, **kwargs)
            except BookingError as exc:  # counted for the metrics, then retried by RQ
                runtime.current().redis.hincrby(keys.UPSTREAM_ERROR_COUNTS,
                                                type(exc).__name__, 1)
                raise

    return run
