"""`POST /webhooks/booking`: signed change notices become sync jobs, once each.

Order matters: size first (413), then the Standard-Webhooks signature over the raw
bytes (401, including a timestamp more than five minutes from the app's clock: see
`bridge.ingress.signatures`), then JSON and schema (400 naming the field), then the
atomic claim-and-push onto the intake keyed by the `webhook-id` (a redelivery within
24 h answers 202 with the first job's id).
"""

from __future__ import annotations

import hashlib

from standardwebhooks.webhooks import WebhookVerificationError
from starlette.requests import Request
from starlette.responses import JSONResponse

from bridge.http.body import read_limited
from bridge.http.context import AppContext, context_of
from bridge.http.json_body import decode_json
from bridge.http.problems import Problem
from bridge.ingress.notices import AppointmentNotice, Notice, parse_notice
from bridge.ingress.signatures import verify
from bridge.observability.correlation import correlated
from bridge.store import keys

__all__ = ["booking_webhook"]


def _verify(context: AppContext, request: Request, body: bytes) -> None:
    if context.webhook is None:  # sandbox mode without a secret: the demo sends unsigned notices
        return
    headers = {k: request.headers.get(k, "") for k in
               ("webhook-id", "webhook-timestamp", "webhook-signature")}
    try:
        verify(context.webhook, body, headers, context.clock.now())
    except WebhookVerificationError as exc:
        raise Problem(401, f"webhook signature refused: {exc}") from None
    except UnicodeDecodeError:  # the library signs text: bytes that are not UTF-8 cannot match
        raise Problem(401, "webhook signature refused: the body is not UTF-8 text") from None
    except ValueError:  # malformed signature headers (no "v1,", bad base64)
        raise Problem(401, "webhook signature refused: malformed signature headers") from None


def _decode(body: bytes) -> Notice:
    payload = decode_json(body)
    try:
        return parse_notice(payload)
    except ValueError as exc:
        raise Problem(400, str(exc)) from None


def _job_for(notice: Notice) -> tuple[str, list[int | str | None]]:
    if isinstance(notice, AppointmentNotice):
        data = notice.data
        return "sync_appointment", [data.agenda_id, data.appointment_id, data.confirmation_code]
    return "forget_customer", [notice.data.customer_id]


async def booking_webhook(request: Request) -> JSONResponse:
    context = context_of(request)
    body = await read_limited(request)
    _verify(context, request, body)
    notice = _decode(body)
    webhook_id = request.headers.get("webhook-id", "")
    if not webhook_id:  # only reachable unsigned, in sandbox mode
        webhook_id = "unsigned-" + hashlib.sha256(body).hexdigest()
    job_name, args = _job_for(notice)
    job_id = "wh-" + hashlib.sha256(webhook_id.encode()).hexdigest()[:32]
    with correlated(webhook_id):
        result = await context.intake.accept(
            job_name, args, job_id,
            claim_key=keys.webhook_seen(webhook_id), claim_ttl=keys.WEBHOOK_DEDUPE_SECONDS,
            now=int(context.clock.now().timestamp()),
        )
    if result.enqueued:
        context.metrics.jobs_enqueued.labels(job=job_name).inc()
    else:
        context.metrics.duplicates.labels(kind="webhook").inc()
    return JSONResponse(
        {"job_id": result.job_id, "duplicate": not result.enqueued, "type": notice.type},
        status_code=202,
    )
