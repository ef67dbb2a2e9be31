"""`POST /twilio/inbound`: a customer's SMS reply, recorded and queued, answered at once.

Twilio gives an inbound webhook 15 seconds and does not retry it after a 5xx, so the
route does only this: check X-Twilio-Signature (403), check the fields (400), record
the message under its MessageSid (a second delivery of the same SID changes nothing),
queue its handling on the replies queue, and answer with empty TwiML. The reply to the
customer goes out later through the normal sending path. A number that sends more than
`REPLIES_PER_WINDOW` messages in ten minutes is recorded but not handled, so a flood
from one number cannot starve the others (`bridge.store.reply_rate`). The message body
is never logged. A message from an erased person (its MessageSid or its sender has a
tombstone, `bridge.store.tombstones`: Twilio's retry of a webhook, or a new text within
the tombstone's life) is neither recorded nor queued, only counted, and answered like
any other, so Twilio does not retry it. An erasure that runs between that check and
the record is caught by a second check after the last write, which sweeps the record
(and the rate counter) again: a rate-limited message is never handled, so nothing
else would.
"""

from __future__ import annotations

import re
import unicodedata

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from bridge.http.context import context_of
from bridge.http.problems import Problem
from bridge.ingress.twilio_request import MESSAGE_SID, twilio_form
from bridge.store import keys
from bridge.store.erasure import Erasure
from bridge.store.reply_rate import REPLIES_PER_WINDOW, ReplyRate
from bridge.store.tombstones import Tombstones, derive_key, phone
from bridge.store.tombstones import sid as message_sid

__all__ = ["EMPTY_TWIML", "REPLIES_PER_WINDOW", "clean_body", "twilio_inbound"]

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
MAX_BODY_CHARACTERS = 1600
_NUMBER = re.compile(r"\+[1-9][0-9]{6,14}")


def clean_body(text: str) -> str:
    """The body without control characters (new lines kept), at most 1600 characters."""
    kept = "".join(c for c in text if c in "\n\t" or unicodedata.category(c)[0] != "C")
    return kept[:MAX_BODY_CHARACTERS]


async def twilio_inbound(request: Request) -> Response:
    form = await twilio_form(request)
    sid, sender, to = form.get("MessageSid", ""), form.get("From", ""), form.get("To", "")
    if not MESSAGE_SID.fullmatch(sid):
        raise Problem(400, "MessageSid: missing or not a message SID")
    if not _NUMBER.fullmatch(sender):
        raise Problem(400, "From: not an E.164 phone number")
    if "Body" not in form:
        raise Problem(400, "Body: missing")
    context = context_of(request)
    body = clean_body(form["Body"])
    received = context.clock.now()
    store = context.inbound
    settings = context.settings
    tombstones = Tombstones(context.sync_redis, derive_key(settings.erasure_secret),
                            settings.retention_days * 86400)

    def record() -> bool | None:
        """True: recorded now; False: known already; None: from an erased person."""
        if tombstones.holds(message_sid(sid), phone(sender)):
            return None
        return store.record(sid, sender, to, body, received)

    recorded = await run_in_threadpool(record)
    if recorded is None:
        context.metrics.erased_ignored.inc()
    elif recorded:
        if not await ReplyRate(context.redis).allow(sender):
            await run_in_threadpool(store.finish, sid, "ignored:rate_limited")
            context.metrics.duplicates.labels(kind="reply_rate_limited").inc()
        else:
            await context.intake.accept(
                "handle_reply", [sid], f"reply-{sid}",
                claim_key=keys.inbound(sid) + ":queued", claim_ttl=keys.WEBHOOK_DEDUPE_SECONDS,
                now=int(received.timestamp()),
            )
            context.metrics.jobs_enqueued.labels(job="handle_reply").inc()
        erasure = Erasure(context.sync_redis, tombstones)
        if await run_in_threadpool(erasure.sweep_if_erased, numbers=[sender], sids=[sid]):
            context.metrics.erased_ignored.inc()  # erased since the check: swept again
    else:
        context.metrics.duplicates.labels(kind="inbound").inc()
    return Response(EMPTY_TWIML, media_type="text/xml")
