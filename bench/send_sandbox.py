"""The outside world of `bench.send`, in a process of its own: booking API and Twilio API.

    python -m bench.send_sandbox --port P --data FILE [--delay-ms 150]

One uvicorn process (uvloop, httptools) serves the booking sandbox over FILE and the
Twilio-compatible API with the demo credentials, on the real clock. For the benchmark
it adds two routes:

- `GET /_bench/accepted`: when each message was accepted (monotonic seconds of this
  process, one per 201 answer to a create), for measuring a send rate exactly;
- `POST /_bench/reset`: forget every message (and pending status steps) and those times.

Status steps (queued -> sent -> delivered, each with a status callback) come an hour
apart, so none happens during a run: they are Twilio's work and load the bridge's
ingress, not the worker measured here.
"""

from __future__ import annotations

import argparse
import json
import time

import uvicorn
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sandbox.app import create_app
from sandbox.booking import BookingSandbox
from sandbox.booking.demo_data import DEMO_API_KEY, DEMO_API_SECRET
from sandbox.clock import SystemClock
from sandbox.twilio import DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, TwilioSandbox

STEP_DELAY_SECONDS = 3600.0


class AcceptedTimes:
    """ASGI wrapper noting the time of every 201 answer to `POST .../Messages.json`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.times: list[float] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not (scope["type"] == "http" and scope["method"] == "POST"
                and scope["path"].endswith("/Messages.json")):
            await self.app(scope, receive, send)
            return

        async def noting(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 201:
                self.times.append(time.monotonic())
            await send(message)

        await self.app(scope, receive, noting)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--data", required=True, help="booking seed data (JSON)")
    parser.add_argument("--delay-ms", type=float, default=0.0, help="Twilio response delay")
    args = parser.parse_args()
    with open(args.data, encoding="utf-8") as handle:
        data = json.load(handle)
    clock = SystemClock()
    booking = BookingSandbox(DEMO_API_KEY, DEMO_API_SECRET, clock=clock, data=data)
    twilio = TwilioSandbox(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, clock=clock,
                           response_delay=args.delay_ms / 1000)
    # Set after construction: reset() restores the constructor's settings through the
    # HTTP config's checks, which refuse steps longer than a minute.
    twilio.settings.step_delay = STEP_DELAY_SECONDS
    accepted: AcceptedTimes

    async def times(request: Request) -> Response:
        return JSONResponse(accepted.times)

    def reset(request: Request) -> Response:  # sync: Starlette runs it on a thread
        twilio.reset()
        twilio.settings.step_delay = STEP_DELAY_SECONDS
        accepted.times.clear()
        return Response(status_code=204)

    routes = [
        *twilio.routes(),
        Route("/_bench/accepted", times, methods=["GET"]),
        Route("/_bench/reset", reset, methods=["POST"]),
    ]
    accepted = AcceptedTimes(create_app(booking, extra_routes=routes))
    try:
        uvicorn.run(accepted, host="127.0.0.1", port=args.port, loop="uvloop", http="httptools",
                    log_level="warning", access_log=False)
    finally:
        twilio.close()
        booking.close()


if __name__ == "__main__":
    main()
