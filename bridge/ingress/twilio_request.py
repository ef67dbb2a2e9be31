"""What Twilio posts to the bridge: a form, signed with X-Twilio-Signature, about a message.

The signature is checked with the twilio package's validator against the public URL
from settings (`OABRIDGE_PUBLIC_URL`, the address Twilio calls, which differs from
what the pod sees behind an ingress or proxy): wrong or missing, 403. The status
callback and the inbound webhook both read their form through `twilio_form`, and
both name their message by a SID that fits `MESSAGE_SID` (so does the OpenAPI document).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

from starlette.requests import Request
from twilio.request_validator import RequestValidator

from bridge.http.body import read_limited
from bridge.http.context import context_of
from bridge.http.problems import Problem

__all__ = ["MESSAGE_SID", "twilio_form"]

#: A message's SID: SM (an SMS) or MM (an MMS), then 32 hex digits. Use with `fullmatch`.
MESSAGE_SID = re.compile(r"(SM|MM)[0-9a-fA-F]{32}")


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
