"""`traced`, around every job function: its logs carry the correlation id of the change
that caused it, and an error it raises is retried by RQ or not, by the error's class.

The exception trees say whether trying again can help (`retryable` on
`bridge.booking.errors` and `bridge.outbound.errors`; `bridge.rendering.errors`):

- Permanent (`permanent`): the booking API refused the key or the call, or answered
  what cannot be read; a template does not render; a provider refused for good. The
  same call would fail the same way later, so the job goes straight to RQ's failed
  registry with its error, its retries unused, and is logged as
  `job_failed_permanently`. (Where the error belongs to one message, the send logic
  records it on that message instead and does not raise: `bridge.sending`.)
- Everything else keeps RQ's retries with their growing intervals: transient errors,
  and errors of no class of ours (a Redis timeout, a bug), which a retry may outlive.
  (A send the bridge holds back itself, `SendHeldBack`, does not reach here from the
  send jobs: they plan the message again and complete, `bridge.sending.holds`.)

Booking API errors are also counted by class for the metrics (`Counters`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import structlog
from rq import get_current_job

from bridge.booking import BookingError
from bridge.observability.correlation import correlated
from bridge.outbound.errors import SendError
from bridge.rendering import RenderError
from workers import runtime

__all__ = ["permanent", "traced"]

log = structlog.get_logger(__name__)

P = ParamSpec("P")
R = TypeVar("R")


def permanent(exc: BaseException) -> bool:
    """Whether `exc` says that trying the job again cannot help."""
    if isinstance(exc, RenderError):
        return True
    if isinstance(exc, BookingError | SendError):
        return not exc.retryable
    return False


def traced(function: Callable[P, R]) -> Callable[P, R]:
    """Bind the job's correlation id (from its meta, else the job id) while it runs,
    and fail it without retries on a permanent error."""

    @functools.wraps(function)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        job = get_current_job()
        correlation = (job.meta.get("cid") or job.id) if job is not None else None
        with correlated(correlation):
            try:
                return function(*args, **kwargs)
            except Exception as exc:
                if isinstance(exc, BookingError):
                    runtime.current().counters.upstream_error(type(exc).__name__)
                if job is not None and permanent(exc):
                    # RQ's worker retries a failed job while it has retries left, and
                    # reads them from this very object: none left, it is failed now.
                    job.retries_left = 0
                    log.error("job_failed_permanently", job=job.func_name,
                              error=type(exc).__name__)
                raise

    return run
