"""Finding 5: a client that goes away mid-body is one line at info, not a traceback.

Each such disconnect logged a 46-line traceback (5,501 made 32 MB of log): starlette's
`ClientDisconnect` reached the catch-all 500 handler and uvicorn's own error log. A
real `oabridge serve` is left by 20 clients mid-body; its log must hold exactly one
line for each, at info, and no traceback.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from redis import Redis

from tests.security.ingress_process import ingress_process, stalled_body, wait_for

CLIENTS = 20


@pytest.mark.slow
def test_a_disconnect_mid_body_is_one_info_line(
    redis: Redis, redis_url: str, tmp_path: Path
) -> None:
    with ingress_process(redis_url, tmp_path / "ingress.log") as ingress:
        before = len(ingress.log_lines())  # whatever start-up says
        # Every route that reads a body before it can check who sent it.
        for path, sent in (("/webhooks/booking", b'{"type": "appo'),
                           ("/twilio/inbound", b"From=%2B31"), ("/twilio/status", b"Messa")):
            for _ in range(CLIENTS // 4):
                stalled_body(ingress.port, sent, 500, path).close()
        for _ in range(CLIENTS - 3 * (CLIENTS // 4)):
            stalled_body(ingress.port, b"[", 500).close()

        def logged() -> list[str]:
            return [line for line in ingress.log_lines() if "client_disconnected" in line]

        wait_for(lambda: len(logged()) >= CLIENTS, "a line for each disconnect", seconds=15)
        # The ingress still answers, and has written nothing more about them.
        assert httpx.get(f"{ingress.url}/healthz").status_code == 200
        lines = ingress.log_lines()
    assert len(logged()) == CLIENTS
    assert all(json.loads(line)["level"] == "info" for line in logged())
    assert not [line for line in lines if "Traceback" in line or "ClientDisconnect" in line]
    assert len(lines) == before + CLIENTS, lines[:5]
