"""Small JSON helpers shared by the sandbox's `/_sandbox/...` control endpoints."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

__all__ = ["error_response", "json_object"]


def error_response(status: int, message: str) -> Response:
    return JSONResponse({"error": message}, status_code=status)


async def json_object(request: Request) -> dict[str, Any] | None:
    """The request's JSON body if it is an object, else None."""
    try:
        body = await request.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None
