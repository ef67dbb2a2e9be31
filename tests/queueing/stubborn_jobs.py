"""Job functions for the worker-stopping tests, at paths a work horse can import."""

from __future__ import annotations

import threading

from rq import get_current_job


def own_timeout() -> int:
    """The timeout the worker runs this job under."""
    job = get_current_job()
    assert job is not None
    return int(job.timeout or 0)


def stubborn() -> None:
    """Work that no abort reaches: only the grace period's kill ends it."""
    threading.Event().wait(120)
