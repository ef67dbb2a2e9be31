"""The short chaos soak (issues #8, #16) as part of the suite: about 1,000 changes
under faults, worker kills and ingress restarts, and Redis itself SIGKILLed and
restarted on its append-only file, judged by the soak's own oracle.

It runs as a subprocess exactly as documented (`python -m bench.soak --short`), on a
redis-server of its own, and must report no duplicate, missing or wrong message and
every reply answered once. The amnesia is not yet in the suite's run
(`--short --redis-faults restart,amnesia`): it passed twice on 57004d8 and failed once
in a clean-clone run, on an e-mail the message log did not link (since fixed);
tests/flow/test_redis_amnesia.py and test_amnesia_*.py cover its cases one by one.
The full run (10,000 changes, with a failover and an amnesia too) is the documented
benchmark.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_the_short_soak_finds_nothing_duplicate_missing_or_wrong(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "bench.soak", "--short", "--workdir", str(tmp_path / "soak")],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False,
    )
    report = run.stdout + run.stderr
    assert run.returncode == 0, report[-6000:]
    assert _row(report, "messages duplicate / missing / wrong") == "0 / 0 / 0"
    assert _row(report, "answers duplicate / missing / wrong") == "0 / 0 / 0"
    assert int(_row(report, "changes made").split()[0]) >= 900
    assert "worker (SIGKILL)" in _row(report, "processes killed")
    faults = [line for line in report.splitlines() if line.startswith("Redis fault ")]
    assert [line.split(":")[1].split()[0] for line in faults] == ["restart"], faults
    _row(report, "expected e-mails skipped: memory lost (allowed)")
    for row in ("webhooks", "replies", "faults injected: booking", "faults injected: twilio",
                "faults injected: mail", "due -> reminder accepted p50 / p95 / p99 (s)"):
        assert _row(report, row)
    assert report.rstrip().endswith("PASS")


def _row(report: str, name: str) -> str:
    """The value of one row of the soak's table."""
    for line in report.splitlines():
        if line.startswith(name + "  "):
            return line[len(name):].strip()
    raise AssertionError(f"no row {name!r} in the soak's table:\n{report[-3000:]}")
