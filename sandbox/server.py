"""Runs the sandbox app on a real port in a background thread, for tests and demos.

Real HTTP matters: the bridge's client must be tested over the same transport it uses in
production, so `SandboxServer` binds a socket (port 0 = any free port), starts uvicorn in
a thread, waits until `/_sandbox/health` answers and stops it cleanly on exit.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Sequence
from types import TracebackType

import httpx
import uvicorn
from starlette.routing import BaseRoute

from sandbox.app import create_app
from sandbox.booking import BookingAccounts, BookingSandbox
from sandbox.faults import SandboxFaults

START_TIMEOUT_SECONDS = 10.0


class SandboxServer:
    """`with SandboxServer(booking) as server: httpx.get(server.api_url, ...)`.

    `booking` may be one account or several (`BookingAccounts`)."""

    def __init__(
        self,
        booking: BookingSandbox | BookingAccounts,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        extra_routes: Sequence[BaseRoute] = (),
        faults: SandboxFaults | None = None,
    ) -> None:
        self.booking = booking
        self.faults = faults
        self.host = host
        self._requested_port = port
        self._extra_routes = extra_routes
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.port = port

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_url(self) -> str:
        return self.base_url + "/APIREST"

    def start(self) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self._requested_port))
        self.port = int(sock.getsockname()[1])
        config = uvicorn.Config(
            create_app(self.booking, self._extra_routes, self.faults),
            log_level="warning",
            lifespan="off",
            access_log=False,
        )
        self._server = uvicorn.Server(config)
        server = self._server
        self._thread = threading.Thread(
            target=lambda: server.run(sockets=[sock]),
            name=f"sandbox-server-{self.port}",
            daemon=True,
        )
        self._thread.start()
        self._wait_until_ready()

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self._thread is not None and not self._thread.is_alive():
                raise RuntimeError("sandbox server stopped while starting")
            try:
                if httpx.get(self.base_url + "/_sandbox/health", timeout=1.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"sandbox server did not answer within {START_TIMEOUT_SECONDS} s")

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=START_TIMEOUT_SECONDS)
        self._server = None
        self._thread = None

    def __enter__(self) -> SandboxServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
