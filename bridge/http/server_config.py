"""How the ingress is served: uvicorn with the edge's limits, as `oabridge serve` runs it.

Every option here bounds what a client that is slow or many can make the process
hold; together with the body limits (`bridge.http.body`) they keep 2,500 stalled
connections from growing the ingress past its memory limit:

- the request head: a deadline and a size cap (`bridge.http.edge_protocol`);
- `timeout_keep_alive`: an idle kept-alive connection is closed after 5 s;
- `limit_concurrency`: beyond this many connections, a request gets uvicorn's own 503
  (a last line; the app's cap on bodies read at once answers first);
- the allocator (`bridge.http.allocator.tune`): freed buffers go back to the system.
"""

from __future__ import annotations

from typing import Any

import uvicorn
from starlette.types import ASGIApp

from bridge.http import allocator
from bridge.http.edge_protocol import HeadLimits, edge_protocol

__all__ = ["KEEP_ALIVE_SECONDS", "MAX_CONNECTIONS", "serve_edge", "server_options"]

KEEP_ALIVE_SECONDS = 5
MAX_CONNECTIONS = 1000


def server_options(head: HeadLimits | None = None) -> dict[str, Any]:
    """uvicorn's options for the ingress, besides the app, host and port."""
    return {
        "http": edge_protocol(head or HeadLimits()),
        "timeout_keep_alive": KEEP_ALIVE_SECONDS,
        "limit_concurrency": MAX_CONNECTIONS,
        "log_level": "warning",
        "proxy_headers": True,
    }


def serve_edge(app: ASGIApp, host: str, port: int, *, timeout_graceful_shutdown: int) -> None:
    """Serve `app` until told to stop (SIGTERM, SIGINT), then let requests in flight
    finish for up to `timeout_graceful_shutdown` seconds (the deployment's grace period
    is measured against it: tests/deploy)."""
    allocator.tune()
    uvicorn.run(app, host=host, port=port, timeout_graceful_shutdown=timeout_graceful_shutdown,
                **server_options())
