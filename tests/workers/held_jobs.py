"""A job function for the worker-process tests, at a path a work horse can import."""

from __future__ import annotations

import os

from rq import get_current_job


def held(release_key: str, pids_key: str) -> str:
    """Record `<horse pid> <its parent's pid>`, then wait until the test releases it."""
    job = get_current_job()
    assert job is not None
    job.connection.set(pids_key, f"{os.getpid()} {os.getppid()}")
    job.connection.blpop([release_key], timeout=60)
    return "released"
