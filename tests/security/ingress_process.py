"""A real ingress process (`oabridge serve`, as production runs it) for the edge's tests.

The edge's limits live in the process: uvicorn's protocol and options, the allocator,
the app's logging. So these tests start the command itself on a free port, with its
log in a file, and measure it from outside (RSS, log lines, answers on real sockets).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil

from tests.ingress.conftest import TRIGGER_TOKEN, TWILIO_TOKEN, WEBHOOK_SECRET
from tests.support.asgi_server import free_port
from tests.support.waiting import wait_for

__all__ = ["IngressProcess", "ingress_process", "stalled_body", "wait_for"]



@dataclass
class IngressProcess:
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def rss_mib(self) -> float:
        return psutil.Process(self.process.pid).memory_info().rss / 2**20

    def log_lines(self) -> list[str]:
        return self.log.read_text(encoding="utf-8", errors="replace").splitlines()

    def answers(self) -> bool:
        try:
            return httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False


@contextmanager
def ingress_process(redis_url: str, log: Path) -> Iterator[IngressProcess]:
    """`oabridge serve` on a free port until the block ends (then SIGTERM, or a kill)."""
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("OABRIDGE_")},
        "OABRIDGE_REDIS_URL": redis_url,
        "OABRIDGE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "OABRIDGE_TRIGGER_TOKEN": TRIGGER_TOKEN,
        "OABRIDGE_TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "OABRIDGE_ERASURE_KEY": "erasure-key-of-the-ingress-tests",
    }
    with log.open("wb") as errors:
        process = subprocess.Popen(
            [sys.executable, "-m", "bridge.cli.main", "serve", "--port", str(port)],
            env=env, stdout=subprocess.DEVNULL, stderr=errors)
    served = IngressProcess(port, process, log)
    try:
        wait_for(lambda: served.answers() or process.poll() is not None, "the ingress to start")
        assert process.poll() is None, "\n".join(served.log_lines()[-20:])
        yield served
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def stalled_body(port: int, sent: bytes, declared: int, path: str = "/webhooks/booking",
                 ) -> socket.socket:
    """A connection that sent its head and `sent` of a `declared`-byte body, and stalls."""
    sock = socket.create_connection(("127.0.0.1", port))
    head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {declared}\r\n\r\n").encode()
    with contextlib.suppress(OSError):  # refused and closed before all of it was taken
        sock.sendall(head + sent)
    return sock
