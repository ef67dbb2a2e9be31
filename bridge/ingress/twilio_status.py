"""`POST /twilio/status`: Twilio's delivery reports become entries in the message log.

The X-Twilio-Signature is checked with the twilio package's validator against the
public URL from settings (`OABRIDGE_PUBLIC_URL`, the address Twilio calls, which
differs from what the pod sees behind an ingress or proxy): wrong or missing, 403.
Reports may come late, twice or out of order; the log keeps each in the timeline and
never moves a message's status backwards.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import parse_qsl

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from twilio.request_validator import RequestValidator

from bridge.ingress.body import read_limited
from bridge.ingress.context import context_of
from bridge.ingress.problems import Problem

__all__ = ["MESSAGE_STATUSES", "twilio_form", "twilio_status"]

_SID = re.compile(r"(SM|MM)[0-9a-fA-F]{32}")
#: Twilio's error codes are five digits; ASCII only, and short enough for `int`.
_ERROR_CODE = re.compile(r"[0-9]{1,9}")
#: Every `MessageStatus` Twilio reports (compared in lower case); the OpenAPI document lists them.
MESSAGE_STATUSES = frozenset({
    "accepted", "scheduled", "queued", "sending", "sent", "delivered", "undelivered",
    "failed", "read", "canceled", "receiving", "received",
})


async def twilio_form(request: Request) -> dict[str, str]:
    """The form Twilio posted, after its signature was checked (403 otherwise)."""
    context = context_of(request)
    body = await read_limited(request)
    try:
        form = {k: v for k, v in _parse_form(body)}
    except UnicodeDecodeError:
        raise Problem(400, "body: not UTF-8 form data") from None
    token = context.settings.twilio_auth_token.get_secret_value()
    url = context.settings.public_url.rstrip("/") + request.url.path
    if request.url.query:
        url += "?" + request.url.query
    signature = request.headers.get("x-twilio-signature", "")
    if not token or not signature or not RequestValidator(token).validate(url, form, signature):
        raise Problem(403, "X-Twilio-Signature missing or wrong for " + url)
    return form


def _parse_form(body: bytes) -> list[tuple[str, str]]:
    return parse_qsl(body.decode("utf-8"), keep_blank_values=True)


async def twilio_status(request: Request) -> Response:
    form = await twilio_form(request)
    sid = form.get("MessageSid", "")
    status = form.get("MessageStatus", form.get("SmsStatus", "")).lower()
    if not _SID.fullmatch(sid):
        raise Problem(400, "MessageSid: missing or not a message SID")
    if status not in MESSAGE_STATUSES:
        raise Problem(400, f"MessageStatus: unknown status {status!r}")
    code_text = form.get("ErrorCode", "")
    if code_text and not _ERROR_CODE.fullmatch(code_text):
        raise Problem(400, "ErrorCode: not a number")
    log = context_of(request).message_log
    now = datetime.now(UTC)

    def record() -> None:
        message_id = log.by_provider_id(sid)
        if message_id is not None:
            log.advance(message_id, status, now, code=int(code_text) if code_text else None)

    await run_in_threadpool(record)
    return Response(status_code=204)
