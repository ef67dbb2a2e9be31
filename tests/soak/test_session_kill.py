"""The soak's kills take a worker's whole session (#16): RQ's work horse puts itself in
a process group of its own (`os.setpgrp`), so a SIGKILL to the worker's group alone
left the horse running its job. Here a stand-in worker forks such a child; the soak's
`Process.kill` must leave no live process of the session behind."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bench.soaklib.system import Process, session_members

#: A worker that forks a horse which leaves the worker's group and then says its pid
#: (both sleep until killed).
WORKER = """
import os, sys, time
if os.fork() == 0:
    os.setpgrp()
    print(os.getpid(), flush=True)
    time.sleep(600)
    os._exit(0)
time.sleep(600)
"""


def test_a_kill_takes_the_horse_that_left_the_workers_group(tmp_path: Path) -> None:
    log = (tmp_path / "worker.log").open("ab")
    popen = subprocess.Popen([sys.executable, "-c", WORKER], stdout=subprocess.PIPE,
                             stderr=log, start_new_session=True)
    assert popen.stdout is not None
    horse = int(popen.stdout.readline())
    try:
        assert horse in session_members(popen.pid)
        assert os.getpgid(horse) != popen.pid  # what RQ's horse does
    finally:
        Process("worker", popen, log).kill()
        popen.stdout.close()

    assert session_members(popen.pid) == []
