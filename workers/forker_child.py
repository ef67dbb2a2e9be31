"""The parent's hold on its forking child: start it, pass signals on, reap, exit with it.

`oabridge worker` (`workers.process`) runs its threads in one process and RQ's worker
in a child (`workers.forker`). The parent is what Kubernetes signals (the container's
PID 1) and what an operator sees, so:

- the child is started before any thread exists, from the main thread, in a process
  group of its own (a Ctrl-C at a terminal or a SIGTERM to the parent's group reaches
  the parent only, which passes it on once: one signal, one warm shutdown; two, RQ's
  cold one), and it dies with the parent (`bridge.queueing.parent_death`);
- each SIGTERM or SIGINT the parent gets is sent to the child as it came;
- the parent waits on every child of its own (`waitpid(-1)`): as PID 1 it inherits
  the orphans of the container, such as a work horse whose worker died, and must reap
  them; the worker's exit code (128 + the signal's number when a signal ended it) is
  the parent's.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from dataclasses import dataclass
from types import FrameType

import structlog

from bridge.queueing.parent_death import die_with_parent_preexec

__all__ = ["FORWARDED", "ForkerChild"]

log = structlog.get_logger(__name__)

#: The signals the parent passes on to its child.
FORWARDED = (signal.SIGTERM, signal.SIGINT)


@dataclass
class ForkerChild:
    """The running child; `wait` returns its exit code once it has ended."""

    process: subprocess.Popen[bytes]
    ended: bool = False

    @classmethod
    def start(cls, argv: list[str]) -> ForkerChild:
        """Start `argv` and pass this process's SIGTERM and SIGINT on to it."""
        process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, process_group=0,
                                   preexec_fn=die_with_parent_preexec())
        child = cls(process)
        for signum in FORWARDED:
            signal.signal(signum, child.forward)
        return child

    @property
    def pid(self) -> int:
        return self.process.pid

    def forward(self, signum: int, _frame: FrameType | None) -> None:
        if self.ended:
            return
        with contextlib.suppress(ProcessLookupError):  # ended, not yet reaped
            os.kill(self.process.pid, signum)

    def wait(self) -> int:
        """Reap children until this one has ended; its exit code (128 + N: signal N)."""
        while True:
            pid, status = os.waitpid(-1, 0)  # retried after each forwarded signal (PEP 475)
            if pid == self.process.pid:
                break
        self.ended = True
        # Nothing left to pass a stop on to. Python puts its handlers back to the
        # default as it exits, and a second stop in that instant (a Ctrl-C, then `up`'s
        # SIGTERM) would end the parent by the signal; an ignored one stays ignored.
        for signum in FORWARDED:
            signal.signal(signum, signal.SIG_IGN)
        code = os.waitstatus_to_exitcode(status)
        self.process.returncode = code  # reaped here, not by Popen
        self._reap_orphans()
        return code if code >= 0 else 128 - code

    def _reap_orphans(self) -> None:
        while True:
            try:
                pid, _status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
