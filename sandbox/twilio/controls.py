"""`/_sandbox/twilio/*`: JSON controls for tests, benchmarks and demos (no auth, like the
other `/_sandbox` endpoints; the sandbox binds to localhost).

* `GET|PUT /_sandbox/twilio/config` - delays, inbound webhook URL, delivery-failure rules
* `GET|PUT|DELETE /_sandbox/twilio/faults` - errors for the next create calls
* `GET /_sandbox/twilio/messages[?direction=inbound]` - every message, newest first
* `GET /_sandbox/twilio/callbacks` - every webhook sent, with its outcome
* `GET /_sandbox/twilio/opt-outs` - who opted out (STOP) of which sender, since when
* `POST /_sandbox/twilio/inbound` - someone texts one of the sandbox's numbers
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from sandbox.control_json import error_response, json_object

if TYPE_CHECKING:
    from sandbox.twilio.sandbox import TwilioSandbox

PREFIX = "/_sandbox/twilio"


def _inbound_request(body: dict[str, Any]) -> tuple[str, str, str | None, bool]:
    """`from`, `body`, `to`, `deliver` of a `POST /_sandbox/twilio/inbound`, or ValueError."""
    sender, text, to = body.get("from"), body.get("body"), body.get("to")
    deliver = body.get("deliver", True)
    if not isinstance(sender, str) or not isinstance(text, str):
        raise ValueError('expected {"from": "+316...", "body": "...", "to"?: ..., "deliver"?: ...}')
    if to is not None and not isinstance(to, str):
        raise ValueError('"to" must be a phone number string')
    if not isinstance(deliver, bool):
        raise ValueError('"deliver" must be true or false')
    return sender, text, to, deliver


class _Controls:
    """The endpoints of one sandbox account (methods, so each stays small)."""

    def __init__(self, sandbox: TwilioSandbox) -> None:
        self.sandbox = sandbox

    async def get_config(self, request: Request) -> Response:
        return JSONResponse(self.sandbox.settings.to_json())

    async def put_config(self, request: Request) -> Response:
        body = await json_object(request)
        if body is None:
            return error_response(400, "expected a JSON object of settings")
        try:
            self.sandbox.settings.update_from_json(body)
        except ValueError as exc:
            return error_response(400, str(exc))
        return JSONResponse(self.sandbox.settings.to_json())

    async def get_faults(self, request: Request) -> Response:
        return JSONResponse(self.sandbox.faults.to_json())

    async def put_faults(self, request: Request) -> Response:
        body = await json_object(request)
        try:
            self.sandbox.faults.update_from_json(body or {})
        except ValueError as exc:
            return error_response(400, str(exc))
        return JSONResponse(self.sandbox.faults.to_json())

    async def delete_faults(self, request: Request) -> Response:
        self.sandbox.faults.clear()
        return JSONResponse(self.sandbox.faults.to_json())

    async def messages(self, request: Request) -> Response:
        return JSONResponse(self.sandbox.messages(request.query_params.get("direction")))

    async def callbacks(self, request: Request) -> Response:
        return JSONResponse(self.sandbox.callbacks())

    async def opt_outs(self, request: Request) -> Response:
        return JSONResponse(self.sandbox.opted_out())

    async def inbound(self, request: Request) -> Response:
        body = await json_object(request)
        try:
            sender, text, to, deliver = _inbound_request(body or {})
            message = self.sandbox.receive(sender, text, to=to)
        except ValueError as exc:
            return error_response(400, str(exc))
        answer: dict[str, Any]
        if not deliver:
            answer = self.sandbox.undelivered(message["sid"])
        else:
            answer = await asyncio.wrap_future(self.sandbox.deliver_inbound(message["sid"]))
        return JSONResponse(answer, status_code=201)


def control_routes(sandbox: TwilioSandbox) -> list[BaseRoute]:
    """The control endpoints of one sandbox account."""
    c = _Controls(sandbox)
    return [
        Route(f"{PREFIX}/config", c.get_config, methods=["GET"]),
        Route(f"{PREFIX}/config", c.put_config, methods=["PUT"]),
        Route(f"{PREFIX}/faults", c.get_faults, methods=["GET"]),
        Route(f"{PREFIX}/faults", c.put_faults, methods=["PUT"]),
        Route(f"{PREFIX}/faults", c.delete_faults, methods=["DELETE"]),
        Route(f"{PREFIX}/messages", c.messages, methods=["GET"]),
        Route(f"{PREFIX}/callbacks", c.callbacks, methods=["GET"]),
        Route(f"{PREFIX}/opt-outs", c.opt_outs, methods=["GET"]),
        Route(f"{PREFIX}/inbound", c.inbound, methods=["POST"]),
    ]
