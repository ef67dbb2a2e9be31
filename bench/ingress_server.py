"""The two servers the ingress benchmark compares, each run as its own process.

    python -m bench.ingress_server --mode bridge|bare --port P --redis URL --secret S

`bare` is the baseline: a Starlette endpoint that reads the body and does one async
Redis LPUSH. `bridge` is oabridge's real ingress.
"""

from __future__ import annotations

import argparse

import uvicorn
from redis.asyncio import Redis
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bridge.http.app import create_app
from bridge.observability.logging import configure_logging
from bridge.settings import load_settings

BARE_LIST = "oab:bench:bare"


def bare_app(redis_url: str) -> Starlette:
    redis = Redis.from_url(redis_url)

    async def hook(request: Request) -> JSONResponse:
        body = await request.body()
        await redis.lpush(BARE_LIST, body)
        return JSONResponse({"accepted": True}, status_code=202)

    return Starlette(routes=[Route("/webhooks/booking", hook, methods=["POST"])])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", choices=["bridge", "bare"], required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--redis", required=True)
    parser.add_argument("--secret", required=True)
    args = parser.parse_args()
    configure_logging(json=True, level="WARNING")
    if args.mode == "bare":
        app = bare_app(args.redis)
    else:
        app = create_app(load_settings({"OABRIDGE_REDIS_URL": args.redis,
                                        "OABRIDGE_WEBHOOK_SECRET": args.secret}))
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning",
                access_log=False, loop="uvloop", http="httptools")


if __name__ == "__main__":
    main()
