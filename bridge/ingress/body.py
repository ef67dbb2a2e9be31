"""Reading a request body with a hard size limit, before anything else looks at it."""

from __future__ import annotations

from starlette.requests import Request

from bridge.ingress.problems import Problem

__all__ = ["MAX_BODY_BYTES", "read_limited"]

MAX_BODY_BYTES = 64 * 1024


async def read_limited(request: Request, limit: int = MAX_BODY_BYTES) -> bytes:
    """The body, or a 413 as soon as it is known to be larger than `limit`."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise Problem(413, f"body larger than {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise Problem(413, f"body larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)
