"""`/_sandbox/mail`: the sink's messages and faults over HTTP, next to the booking API.

* `GET /_sandbox/mail` - every kept message (see `parse.py` for the fields), oldest first
* `DELETE /_sandbox/mail` - forget them
* `GET|PUT /_sandbox/mail/faults` - `{"temporary_failures_next": 2}`
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

if TYPE_CHECKING:
    from sandbox.mail.sink import MailSink


class _MailControls:
    def __init__(self, sink: MailSink) -> None:
        self.sink = sink

    async def list(self, request: Request) -> Response:
        return JSONResponse(self.sink.messages())

    async def clear(self, request: Request) -> Response:
        self.sink.clear()
        return JSONResponse([])

    async def get_faults(self, request: Request) -> Response:
        return JSONResponse(self.sink.faults.to_json())

    async def put_faults(self, request: Request) -> Response:
        try:
            body = await request.json()
            if not isinstance(body, dict):
                raise ValueError('expected {"temporary_failures_next": <count>}')
            self.sink.faults.update_from_json(body)
        except ValueError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse(self.sink.faults.to_json())


def mail_routes(sink: MailSink) -> list[BaseRoute]:
    controls = _MailControls(sink)
    return [
        Route("/_sandbox/mail", controls.list, methods=["GET"]),
        Route("/_sandbox/mail", controls.clear, methods=["DELETE"]),
        Route("/_sandbox/mail/faults", controls.get_faults, methods=["GET"]),
        Route("/_sandbox/mail/faults", controls.put_faults, methods=["PUT"]),
    ]
