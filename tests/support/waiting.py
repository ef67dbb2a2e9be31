"""Waiting for another process (a worker, the ingress, the demo) to do something.

Not a wait for time to pass: the condition is asked every `every` seconds and the wait
ends as soon as it holds; `seconds` only bounds how long a broken run hangs.
"""

from __future__ import annotations

import time
from collections.abc import Callable

__all__ = ["wait_for"]


def wait_for(condition: Callable[[], bool], what: str, seconds: float = 60,
             every: float = 0.05) -> None:
    """Return once `condition()` holds; fail naming `what` after `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(every)
