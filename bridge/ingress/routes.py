"""The ingress's routes: signed webhooks, poll triggers, health, metrics, its document.

`bridge.http.app` serves them next to the operator page; `ROUTES` is also what the
OpenAPI and deployment tests compare their paths with.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bridge.ingress.health import healthz, metrics, readyz
from bridge.ingress.openapi import openapi_document
from bridge.ingress.triggers import poll_trigger
from bridge.ingress.twilio_inbound import twilio_inbound
from bridge.ingress.twilio_status import twilio_status
from bridge.ingress.webhooks import booking_webhook

__all__ = ["ROUTES"]


async def _openapi(_request: Request) -> JSONResponse:
    return JSONResponse(openapi_document())


ROUTES = [
    Route("/webhooks/booking", booking_webhook, methods=["POST"]),
    Route("/triggers/poll", poll_trigger, methods=["POST"]),
    Route("/twilio/status", twilio_status, methods=["POST"]),
    Route("/twilio/inbound", twilio_inbound, methods=["POST"]),
    Route("/healthz", healthz, methods=["GET"]),
    Route("/readyz", readyz, methods=["GET"]),
    Route("/metrics", metrics, methods=["GET"]),
    Route("/openapi.json", _openapi, methods=["GET"]),
]
