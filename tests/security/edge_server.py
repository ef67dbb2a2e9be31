"""The app served in this process as `oabridge serve` serves it, with limits a test chooses.

uvicorn with the edge's options (`bridge.http.server_config.server_options`), so a test
can give the head a deadline of a fraction of a second and stall a real client past
it, instead of waiting the production default.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from starlette.types import ASGIApp

from bridge.http.edge_protocol import HeadLimits
from bridge.http.server_config import server_options
from tests.support.asgi_server import PromptServer, port_of, reserve_socket

__all__ = ["read_answer", "serve_edge_app"]


@contextmanager
def serve_edge_app(app: ASGIApp, head: HeadLimits | None = None) -> Iterator[int]:
    """Serve `app` on a free port until the block ends; yields the port."""
    sock = reserve_socket()
    port = port_of(sock)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="auto",
                            **server_options(head))
    server = PromptServer(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:  # the socket listening, not time passing
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("test server did not start")
        time.sleep(0.01)
    try:
        yield port
    finally:
        server.stop()
        thread.join(timeout=10)
        sock.close()


def read_answer(sock: socket.socket, seconds: float = 10) -> tuple[bytes, bool]:
    """Everything the server sends until it closes the connection (or `seconds` pass),
    and whether it closed it."""
    sock.settimeout(seconds)
    received = b""
    try:
        while chunk := sock.recv(65536):
            received += chunk
    except TimeoutError:
        return received, False
    except ConnectionResetError:
        pass
    return received, True
