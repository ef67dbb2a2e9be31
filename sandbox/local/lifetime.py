"""Children of `oabridge up` that cannot outlive it.

Ctrl-C and SIGTERM stop every child in order (`supervisor.py`, `embedded_redis.py`).
If `up` itself dies without that (SIGKILL, an out-of-memory kill), nothing would stop
them, and they would run on under PID 1. On Linux each child asks the kernel for a
SIGTERM when `up` dies (`PR_SET_PDEATHSIG`); elsewhere this is a no-op.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from collections.abc import Callable

__all__ = ["die_with_parent"]

PR_SET_PDEATHSIG = 1


def die_with_parent(
    signum: signal.Signals = signal.SIGTERM,
) -> Callable[[], None] | None:
    """A `preexec_fn` for `subprocess.Popen`: the child gets `signum` when this process
    (more exactly, this thread) ends. `up` starts its children from its main thread."""
    if not sys.platform.startswith("linux"):
        return None
    libc = ctypes.CDLL(None, use_errno=True)  # loaded here: the child only calls it
    parent = os.getpid()

    def preexec() -> None:
        libc.prctl(PR_SET_PDEATHSIG, signum)
        if os.getppid() != parent:  # `up` died before the request took effect
            os.kill(os.getpid(), signum)

    return preexec
