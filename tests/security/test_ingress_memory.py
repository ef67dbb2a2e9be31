"""Finding 5: a burst of stalled bodies does not grow the ingress, and what it took comes back.

2,500 unauthenticated connections, each sending 65,000 bytes of a body and stalling,
took the ingress from 111 to 265 MB (production's limit is 256 Mi), and it stayed
there after they closed. Here a real `oabridge serve` gets 500 of them: its RSS may
grow by a bounded amount while they hang (64 bodies are read at once, the rest are
refused with a 503 and closed), and is back near where it started once they close
(the allocator gives freed memory back: `bridge.http.allocator`). On the old code the
500 bodies stay in the process (about 31 MiB of them) during and after.
"""

from __future__ import annotations

import contextlib
import socket
from pathlib import Path

import httpx
import pytest
from redis import Redis

from tests.security.ingress_process import ingress_process, stalled_body, wait_for

CONNECTIONS = 500
SENT = b"[" * 65_000
#: Growth allowed while the burst hangs: 64 bodies being read, and bookkeeping.
DURING_MIB = 16
#: How far from the baseline the process must come back after the burst.
AFTER_MIB = 8


@pytest.mark.slow
def test_a_burst_of_stalled_bodies_is_bounded_and_its_memory_comes_back(
    redis: Redis, redis_url: str, tmp_path: Path
) -> None:
    with ingress_process(redis_url, tmp_path / "ingress.log") as ingress, \
            httpx.Client() as http:
        for _ in range(50):  # the paths a burst takes, warmed: their first use allocates
            http.post(f"{ingress.url}/webhooks/booking", content=b"[]")
        baseline = ingress.rss_mib()
        sockets: list[socket.socket] = []
        try:
            for _ in range(CONNECTIONS):
                sockets.append(stalled_body(ingress.port, SENT, 65_536))
            # The server has taken in what was sent once it answers a later request.
            assert http.get(f"{ingress.url}/healthz").status_code == 200
            during = max(ingress.rss_mib() for _ in range(5))
        finally:
            for sock in sockets:
                sock.close()
        after = ingress.rss_mib()

        def back() -> bool:
            nonlocal after
            after = ingress.rss_mib()
            return after <= baseline + AFTER_MIB

        with contextlib.suppress(AssertionError):  # asserted below, with the figures
            wait_for(back, "the ingress's memory to come back", seconds=20)
        assert http.get(f"{ingress.url}/healthz").status_code == 200
    summary = f"baseline {baseline:.1f} MiB, during {during:.1f}, after {after:.1f}"
    assert during <= baseline + DURING_MIB, summary
    assert after <= baseline + AFTER_MIB, summary
