"""`POST /twilio/status`: Twilio's delivery reports become entries in the message log.

The form and its signature are read by `bridge.ingress.twilio_request` (403 when the
signature is wrong or missing). Reports may come late, twice or out of order; the log
keeps each in the timeline and never moves a message's status backwards.
"""

from __future__ import annotations

import re

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from bridge.http.context import context_of
from bridge.http.problems import Problem
from bridge.ingress.twilio_request import MESSAGE_SID, twilio_form

__all__ = ["MESSAGE_STATUSES", "twilio_status"]

#: Twilio's error codes are five digits; ASCII only, and short enough for `int`.
_ERROR_CODE = re.compile(r"[0-9]{1,9}")
#: Every `MessageStatus` Twilio reports (compared in lower case); the OpenAPI document lists them.
MESSAGE_STATUSES = frozenset({
    "accepted", "scheduled", "queued", "sending", "sent", "delivered", "undelivered",
    "failed", "read", "canceled", "receiving", "received",
})


async def twilio_status(request: Request) -> Response:
    form = await twilio_form(request)
    sid = form.get("MessageSid", "")
    status = form.get("MessageStatus", form.get("SmsStatus", "")).lower()
    if not MESSAGE_SID.fullmatch(sid):
        raise Problem(400, "MessageSid: missing or not a message SID")
    if status not in MESSAGE_STATUSES:
        raise Problem(400, f"MessageStatus: unknown status {status!r}")
    code_text = form.get("ErrorCode", "")
    if code_text and not _ERROR_CODE.fullmatch(code_text):
        raise Problem(400, "ErrorCode: not a number")
    context = context_of(request)
    log = context.message_log
    now = context.clock.now()

    def record() -> None:
        message_id = log.by_provider_id(sid)
        if message_id is not None:
            log.advance(message_id, status, now, code=int(code_text) if code_text else None)

    await run_in_threadpool(record)
    return Response(status_code=204)
