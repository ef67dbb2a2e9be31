"""The sandbox's HTTP face: `/APIREST` plus `/_sandbox/*` controls for tests and demos.

The API route is a thin shell over `BookingAccounts.handle`: one sandbox may serve several
accounts, chosen by the request's `api_key`; the controls that belong to one account
(outbox, settings) take `?account=N` or `?api_key=KEY` (`control_account.py`). The app is
assembled from a list of routes so later pieces (a Twilio-compatible API under
`/2010-04-01/...`) can be mounted next to it with `create_app(booking, extra_routes=[...])`.
Those pieces' seeded faults come in with `faults=SandboxFaults(...)`, so `/_sandbox/faults`
shows and changes them all; without it only the booking API's are there.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from sandbox.booking import BookingAccounts, BookingSandbox, accounts_of
from sandbox.booking.faults import BookingFaults
from sandbox.clock import AdjustableClock, Clock
from sandbox.control_account import chosen_account
from sandbox.control_json import error_response, json_object
from sandbox.faults import SandboxFaults

logger = logging.getLogger(__name__)

FORM_TYPE = "application/x-www-form-urlencoded"


def _accounts(request: Request) -> BookingAccounts:
    accounts: BookingAccounts = request.app.state.accounts
    return accounts


async def _api_params(request: Request) -> dict[str, str]:
    """Query string and form body merged, the body winning (like PHP's `$_REQUEST`)."""
    params = dict(request.query_params)
    if request.method == "POST" and request.headers.get("content-type", "").startswith(FORM_TYPE):
        try:
            async with request.form() as form:
                params.update({k: v for k, v in form.items() if isinstance(v, str)})
        except Exception:  # an unreadable body must not become a 500; the signature fails
            logger.warning("could not read the form body of an API call", exc_info=True)
    return params


async def api(request: Request) -> Response:
    params = await _api_params(request)
    faults: BookingFaults = _faults(request).booking
    offset = next((v for k, v in params.items() if k.lower() == "offset"), "")
    injected = faults.decide(params.get("method", ""), offset)
    if injected is not None:
        await asyncio.sleep(injected.delay_seconds)
        if injected.status:
            return Response(f"injected fault: {injected.kind}", status_code=injected.status,
                            media_type="text/plain")
    body = await run_in_threadpool(_accounts(request).handle, params)
    return Response(body, media_type="text/xml; charset=UTF-8")


def _faults(request: Request) -> SandboxFaults:
    faults: SandboxFaults = request.app.state.faults
    return faults


async def get_faults(request: Request) -> Response:
    return JSONResponse(_faults(request).to_json())


async def put_faults(request: Request) -> Response:
    """Change any subset of the sections; 400 (and nothing changed) if anything is wrong."""
    try:
        body = await request.json()
    except ValueError:
        return error_response(400, "the body is not JSON")
    try:
        _faults(request).update_from_json(body)
    except ValueError as exc:
        return error_response(400, str(exc))
    return JSONResponse(_faults(request).to_json())


async def outbox(request: Request) -> Response:
    account = chosen_account(request, _accounts(request))
    if isinstance(account, Response):
        return account
    return JSONResponse(await run_in_threadpool(account.outbox))


async def list_accounts(request: Request) -> Response:
    return JSONResponse(await run_in_threadpool(_accounts(request).describe))


def _clock_state(clock: Clock) -> dict[str, str]:
    return {"now": clock.now().isoformat()}


async def get_clock(request: Request) -> Response:
    return JSONResponse(_clock_state(_accounts(request).clock))


async def put_clock(request: Request) -> Response:
    clock = _accounts(request).clock
    if not isinstance(clock, AdjustableClock):
        return error_response(409, "this sandbox runs on a clock that cannot be moved")
    body = await json_object(request)
    if body is None:
        return error_response(
            400, 'expected a JSON object: {"now": ...} or {"advance_seconds": ...}'
        )
    if "now" in body:
        try:
            moment = datetime.fromisoformat(str(body["now"]))
            clock.set(moment)
        except ValueError:
            return error_response(400, '"now" must be an ISO 8601 date-time with a UTC offset')
    elif isinstance(body.get("advance_seconds"), int | float) and not isinstance(
        body.get("advance_seconds"), bool
    ):
        clock.advance(timedelta(seconds=float(body["advance_seconds"])))
    else:
        return error_response(400, 'expected "now" or a numeric "advance_seconds"')
    return JSONResponse(_clock_state(clock))


async def put_settings(request: Request) -> Response:
    booking = chosen_account(request, _accounts(request))
    if isinstance(booking, Response):
        return booking
    body = await json_object(request)
    value = None if body is None else body.get("requires_confirmation")
    if not isinstance(value, bool):
        return error_response(400, 'expected {"requires_confirmation": true|false}')
    booking.requires_confirmation = value
    return JSONResponse({"requires_confirmation": booking.requires_confirmation})


async def health(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


def sandbox_routes() -> list[BaseRoute]:
    """The booking API and its control endpoints."""
    return [
        Route("/APIREST", api, methods=["GET", "POST"]),
        Route("/APIREST/", api, methods=["GET", "POST"]),
        Route("/_sandbox/outbox", outbox, methods=["GET"]),
        Route("/_sandbox/accounts", list_accounts, methods=["GET"]),
        Route("/_sandbox/clock", get_clock, methods=["GET"]),
        Route("/_sandbox/clock", put_clock, methods=["PUT"]),
        Route("/_sandbox/settings", put_settings, methods=["PUT"]),
        Route("/_sandbox/health", health, methods=["GET"]),
        Route("/_sandbox/faults", get_faults, methods=["GET"]),
        Route("/_sandbox/faults", put_faults, methods=["PUT"]),
    ]


def create_app(
    booking: BookingSandbox | BookingAccounts,
    extra_routes: Sequence[BaseRoute] = (),
    faults: SandboxFaults | BookingFaults | None = None,
) -> Starlette:
    """The sandbox app; `extra_routes` (routes or mounts) are added after the built-in ones.

    `booking` is one account or several (`BookingAccounts`, one clock for all).

    `faults` are what `/_sandbox/faults` shows and changes; a bare `BookingFaults` (the
    earlier form) stands for a sandbox with booking faults only."""
    app = Starlette(routes=[*sandbox_routes(), *extra_routes])
    app.state.accounts = accounts_of(booking)
    app.state.booking = app.state.accounts.first  # the one account of earlier callers
    if not isinstance(faults, SandboxFaults):
        faults = SandboxFaults(booking=faults)
    app.state.faults = faults
    return app
