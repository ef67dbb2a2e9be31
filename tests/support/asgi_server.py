"""Serve an ASGI app over real HTTP from a background thread, on a free port."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from starlette.types import ASGIApp


def free_port() -> int:
    """A port nothing listens on now: for addresses that must answer nothing.

    Not for a server of our own: another process may take it before we bind it. Use
    `reserve_socket` and hand the socket to `serve` instead."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def reserve_socket() -> socket.socket:
    """A socket bound to a free port on 127.0.0.1, held until `serve` listens on it,
    so the port can be known (say, for a public URL) before the server starts."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


def port_of(sock: socket.socket) -> int:
    port: int = sock.getsockname()[1]
    return port


class PromptServer(uvicorn.Server):
    """uvicorn's server, stopping within milliseconds. uvicorn looks at `should_exit` every
    0.1 s and then pauses another 0.1 s in `shutdown`: ~0.2 s for each of the suite's
    hundreds of servers. Here `stop()` wakes the loop, and the shutdown waits only as long
    as connections or tasks remain (polled every 5 ms); lifespan shutdown still runs."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self._woken: tuple[asyncio.AbstractEventLoop, asyncio.Event] | None = None

    def stop(self) -> None:
        """From any thread."""
        self.should_exit = True
        if self._woken is not None:
            loop, event = self._woken
            with contextlib.suppress(RuntimeError):  # the loop has already closed
                loop.call_soon_threadsafe(event.set)

    async def main_loop(self) -> None:
        event = asyncio.Event()
        self._woken = (asyncio.get_running_loop(), event)
        counter = 0
        while not await self.on_tick(counter):
            counter = (counter + 1) % 864000
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), 0.1)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for server in self.servers:
            server.close()
        for sock in sockets or []:
            sock.close()
        for connection in list(self.server_state.connections):
            connection.shutdown()
        deadline = time.monotonic() + self.GRACE_SECONDS
        while self.server_state.connections or self.server_state.tasks:
            if time.monotonic() > deadline:
                for task in self.server_state.tasks:
                    task.cancel()
                break
            await asyncio.sleep(0.005)
        for server in self.servers:
            await server.wait_closed()
        if not self.force_exit:
            await self.lifespan.shutdown()

    GRACE_SECONDS = 10


@contextmanager
def serve(app: ASGIApp, sock: socket.socket | None = None) -> Iterator[str]:
    """Run `app` with uvicorn until the block ends; yields its base URL."""
    sock = sock or reserve_socket()
    port = port_of(sock)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="auto")
    server = PromptServer(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:  # wait for the socket to listen, not for time to pass
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("test server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()
        thread.join(timeout=10)
        sock.close()
