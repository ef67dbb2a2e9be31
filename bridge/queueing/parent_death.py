"""A worker's processes end with the process that started them.

`oabridge worker` is two processes (`workers/process.py`): the parent, with the ticker,
the relay and the alive key, and a child that runs RQ's worker and forks a work horse
per job. If the parent is SIGKILLed (an out-of-memory kill, `kill -9`, the soak), its
alive key lapses and the ticker hands the job in hand to another worker; a child or a
horse that lived on would take more jobs, or finish the job a second time beside the
rescued copy. So each asks the kernel for a SIGKILL when its parent ends
(`PR_SET_PDEATHSIG`, Linux): the worker dies as one process would. Elsewhere only the
check that the parent is still there applies, and an orphan is left to the operator.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from collections.abc import Callable

__all__ = ["die_with_parent", "die_with_parent_preexec"]

PR_SET_PDEATHSIG = 1


def _prctl() -> Callable[[int, int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    libc = ctypes.CDLL(None, use_errno=True)
    prctl: Callable[[int, int], int] = libc.prctl
    return prctl


def die_with_parent(parent: int, signum: int = signal.SIGKILL) -> None:
    """In a freshly forked process: receive `signum` when the thread that forked it
    ends, or now if `parent` has already gone (it died before the request took effect)."""
    prctl = _prctl()
    if prctl is not None:
        prctl(PR_SET_PDEATHSIG, signum)
    if os.getppid() != parent:
        os.kill(os.getpid(), signum)


def die_with_parent_preexec(signum: int = signal.SIGKILL) -> Callable[[], None]:
    """A `preexec_fn` for `subprocess.Popen` doing `die_with_parent` in the child; libc
    is loaded here, before the fork, so the child only calls it. Start the child from
    the main thread of a process that has no other thread yet: the kernel's signal
    follows the forking thread, and a fork beside threads is what this design avoids."""
    prctl = _prctl()
    parent = os.getpid()

    def preexec() -> None:
        if prctl is not None:
            prctl(PR_SET_PDEATHSIG, signum)
        if os.getppid() != parent:
            os.kill(os.getpid(), signum)

    return preexec
