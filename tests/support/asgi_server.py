"""Serve an ASGI app over real HTTP from a background thread, on a free port."""

from __future__ import annotations

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


@contextmanager
def serve(app: ASGIApp, sock: socket.socket | None = None) -> Iterator[str]:
    """Run `app` with uvicorn until the block ends; yields its base URL."""
    sock = sock or reserve_socket()
    port = port_of(sock)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="auto")
    server = uvicorn.Server(config)
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
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
