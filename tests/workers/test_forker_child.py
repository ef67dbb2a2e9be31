"""`oabridge worker`'s parent as PID 1 of a container: orphans come to it, and it must
reap them, or they stay zombies for the container's life. Here the parent's part
(`workers.forker_child`) runs in a process that takes orphans as PID 1 does
(`PR_SET_CHILD_SUBREAPER`), with a child that leaves an orphan behind and exits 3."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: The child: forks a process that exits at once, waits until it has exited without
#: reaping it (a zombie that passes to the subreaper when the child exits), exits 3.
CHILD = """
import os
orphan = os.fork()
if orphan == 0:
    os._exit(0)
os.waitid(os.P_PID, orphan, os.WEXITED | os.WNOWAIT)
os._exit(3)
"""

#: The parent: a subreaper, as PID 1 is; prints the child's code, then whether any child
#: of its own is left (a zombie not reaped).
PARENT = """
import ctypes, os, sys
PR_SET_CHILD_SUBREAPER = 36
assert ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
from workers.forker_child import ForkerChild
code = ForkerChild.start([sys.executable, "-c", sys.argv[1]]).wait()
try:
    left = os.waitpid(-1, os.WNOHANG)[0] != 0 or "running"
except ChildProcessError:
    left = "none"
print(code, left)
"""


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl is Linux's")
def test_the_parent_exits_with_its_childs_code_and_reaps_the_orphans_it_inherits() -> None:
    done = subprocess.run([sys.executable, "-c", PARENT, CHILD], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["3", "none"]
