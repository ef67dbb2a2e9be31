"""Finding 4 of issue #15, memory: a booking API answering far more than the call asked
for took a worker to 1.1 GB. An answer is now bounded by what the call can return (the
page's `Limit` times `MAX_RECORD_BYTES`, plus `ENVELOPE_BYTES`), refused unread beyond
it, and parsed as it streams in.

The client runs in a subprocess of its own against a real hostile server on a free port,
and reports its peak resident memory (VmHWM), so what is measured is what a worker
would hold: a bound, not a timing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import bridge
from tests.support.hostile_upstream import HostileUpstream

LIMIT = 500  # the page size a sync reads (bridge.sync.listing.PAGE_SIZE)
#: `bridge.booking.transport.PAGE_BOUND`: 16 KiB an object, 64 KiB around them.
PAGE_BOUND = 64 * 1024 + LIMIT * 16 * 1024
PEAK_BOUND_KB = 100 * 1024

CLIENT = """
import json, sys
from datetime import date
from bridge.booking import BookingClient, BookingError, RetryPolicy

def status_kb(field):
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(field))

client = BookingClient(sys.argv[1], "key", "s" * 40, timeout=120, retry=RetryPolicy(attempts=1))
before = status_kb("VmRSS:")
try:
    page = client.get_appointments(1, date(2026, 3, 29), date(2026, 3, 30),
                                   limit=int(sys.argv[2]), offset=0)
    outcome = {"records": len(page.items)}
except BookingError as exc:
    outcome = {"error": type(exc).__name__, "message": str(exc)}
outcome.update(before_kb=before, peak_kb=status_kb("VmHWM:"))
print(json.dumps(outcome))
"""


def fetch_page(upstream: HostileUpstream) -> dict[str, Any]:
    """One `getAppointments` page of `LIMIT`, fetched by a fresh process."""
    root = str(Path(bridge.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": root}
    done = subprocess.run([sys.executable, "-c", CLIENT, upstream.url, str(LIMIT)], env=env,
                          capture_output=True, text=True, timeout=300, check=False, cwd=root)
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_a_maximal_page_is_read_within_the_memory_bound() -> None:
    record_bytes = (PAGE_BOUND - 4096) // LIMIT
    with HostileUpstream.pages(LIMIT, record_bytes) as upstream:
        result = fetch_page(upstream)
    assert result.get("records") == LIMIT, result
    assert result["peak_kb"] < PEAK_BOUND_KB, result


def test_more_objects_than_the_page_holds_are_refused_while_streaming() -> None:
    # 300,000 small appointments (about 40 MB), where the call asked for 500.
    with HostileUpstream.pages(300_000, 140) as upstream:
        result = fetch_page(upstream)
        sent = upstream.sent_bytes
    assert result.get("error") == "BookingProtocolError", result
    assert f"more than {LIMIT} objects" in result["message"]
    assert result["peak_kb"] < PEAK_BOUND_KB, result
    assert sent < 20_000_000  # it stopped reading: the rest was never sent


def test_an_answer_larger_than_the_page_can_be_is_refused_unread() -> None:
    # Twenty appointments of 2 MB each: few objects, but 40 MB, five times the bound.
    with HostileUpstream.pages(20, 2_000_000) as upstream:
        result = fetch_page(upstream)
        sent = upstream.sent_bytes
    assert result.get("error") == "BookingProtocolError", result
    assert f"larger than {PAGE_BOUND} bytes" in result["message"]
    assert result["peak_kb"] < PEAK_BOUND_KB, result
    assert sent < 20_000_000
