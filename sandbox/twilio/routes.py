"""The Twilio REST API over HTTP: `/2010-04-01/Accounts/{AccountSid}/Messages...`.

A thin shell over `TwilioSandbox`: HTTP Basic authentication (401 with Twilio's body),
the account in the path must be the authenticated one (404 otherwise, as for any
resource the caller cannot see), then the seeded faults (`fault_rates.py`: latency, 429,
5xx, before any work, so a refused create creates nothing), then create, list, fetch or
delete (204; 20009 while the message is not final: `TwilioSandbox.delete_message`).
The configured response delay is an `asyncio.sleep` before the work, so slow answers
overlap instead of queueing: a benchmark firing many requests at once sees them all
wait together.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from sandbox.twilio import errors
from sandbox.twilio.demo import API_VERSION

if TYPE_CHECKING:
    from sandbox.twilio.sandbox import TwilioSandbox

ACCOUNT_PATH = f"/{API_VERSION}/Accounts/{{account_sid}}"
FORM_TYPE = "application/x-www-form-urlencoded"


async def _form_pairs(request: Request) -> list[tuple[str, str]]:
    """The form body's parameters in order, repeated names kept (e.g. `MediaUrl`)."""
    if not request.headers.get("content-type", "").startswith(FORM_TYPE):
        return []  # e.g. a JSON body: Twilio then sees no parameters at all
    async with request.form() as form:
        return [(name, value) for name, value in form.multi_items() if isinstance(value, str)]


async def _guarded(
    sandbox: TwilioSandbox, request: Request, work: Callable[[], Awaitable[Response]]
) -> Response:
    """Authentication, the account, injected faults; then `work`, or Twilio's error."""
    delay = sandbox.settings.response_delay
    if delay > 0:
        await asyncio.sleep(delay)
    try:
        sandbox.authenticate(request.headers.get("authorization"))
        if request.path_params["account_sid"] != sandbox.account_sid:
            raise errors.not_found(request.url.path)
        injected = sandbox.fault_rates.decide_api()
        if injected is not None:
            await asyncio.sleep(injected.delay_seconds)
            if injected.error is not None:
                raise injected.error
        return await work()
    except errors.TwilioApiError as error:
        return JSONResponse(error.body(), status_code=error.status, headers=error.headers)


def api_routes(sandbox: TwilioSandbox) -> list[BaseRoute]:
    """The Messages resource of one sandbox account."""

    async def messages(request: Request) -> Response:
        async def create() -> Response:
            created = sandbox.create_message(await _form_pairs(request))
            return JSONResponse(created, status_code=201)

        async def read() -> Response:
            page = sandbox.list_messages(request.query_params, request.url.path)
            return JSONResponse(page)

        return await _guarded(sandbox, request, create if request.method == "POST" else read)

    async def message(request: Request) -> Response:
        sid = request.path_params["sid"]

        async def fetch() -> Response:
            return JSONResponse(sandbox.fetch_message(sid, request.url.path))

        async def delete() -> Response:
            sandbox.delete_message(sid, request.url.path)
            return Response(status_code=204)

        return await _guarded(sandbox, request, delete if request.method == "DELETE" else fetch)

    return [
        Route(f"{ACCOUNT_PATH}/Messages.json", messages, methods=["GET", "POST"]),
        Route(f"{ACCOUNT_PATH}/Messages/{{sid}}.json", message, methods=["GET", "DELETE"]),
    ]
