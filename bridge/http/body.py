"""Reading a request body with a hard size limit, before anything else looks at it."""

from __future__ import annotations

from starlette.requests import Request

from bridge.http.problems import Problem

__all__ = ["MAX_BODY_BYTES", "read_limited"]

MAX_BODY_BYTES = 64 * 1024


async def read_limited(request: Request, limit: int = MAX_BODY_BYTES) -> bytes:
    """The body, or a 413 as soon as it is known to be larger than `limit`."""
    declared = request.headers.get("content-length")
    if declared is not None and _declares_more(declared, limit):
        raise Problem(413, f"body larger than {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise Problem(413, f"body larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _declares_more(content_length: str, limit: int) -> bool:
    """Whether a Content-Length header announces more than `limit` bytes.

    ASCII digits only (`"²".isdigit()` is true, `int("²")` fails), and the length of
    the number before its value: `int` refuses a few thousand digits.
    """
    if not (content_length.isascii() and content_length.isdigit()):
        return False
    digits = content_length.lstrip("0")
    return len(digits) > len(str(limit)) or int(digits or "0") > limit
