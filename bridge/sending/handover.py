"""Handing one claimed message to its provider and recording what came of it.

Shared by the planned messages (`bridge.sending.delivery`) and the answers to replies
(`bridge.sending.answers`): a transient failure releases the claim (nothing was sent, a
retry may send it) and raises; a permanent one is recorded and never retried; a
success is recorded with the provider's id, which status callbacks then find.

A refusal because the recipient opted out (Twilio's 21610 for a STOP the bridge has not
heard of yet: sent while the ingress was down, say) is an opt-out like a heard STOP:
recorded for the number, and the message skipped for it, not failed. It counts from
the moment of the attempt: Twilio had the STOP by then, and a START after it still wins.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import structlog

from bridge.outbound.errors import (
    OptedOutError,
    PermanentSendError,
    SendError,
    TransientSendError,
)
from bridge.sending.services import SendingServices
from bridge.store.claims import Claim

__all__ = ["hand_over", "settle_stale_sms"]

log = structlog.get_logger(__name__)


#: How the message log and the skip stream name an opt-out (as for one known before).
OPTED_OUT = "opted_out"


def hand_over(sv: SendingServices, message_id: str, send: Callable[[], str]) -> str:
    """Run `send` (which returns the provider's id) for a claimed message:
    sent | failed | opted_out."""
    attempted = sv.clock.now()
    try:
        provider_id = send()
    except TransientSendError as exc:
        sv.claims.release(message_id)
        sv.messages.advance(message_id, "retrying", sv.clock.now(), code=exc.code,
                            detail=exc.reason)
        raise
    except OptedOutError as exc:
        sv.optouts.opt_out(exc.recipient, str(exc.code), attempted)
        sv.claims.finish(message_id, OPTED_OUT)
        sv.messages.advance(message_id, "skipped", sv.clock.now(), code=exc.code,
                            detail=OPTED_OUT)
        log.info("message_opted_out", message=message_id, code=exc.code)
        return OPTED_OUT
    except PermanentSendError as exc:
        sv.claims.finish(message_id, "failed")
        sv.messages.advance(message_id, "failed", sv.clock.now(), code=exc.code,
                            detail=exc.reason)
        log.info("message_failed", message=message_id, code=exc.code)
        return "failed"
    sv.claims.finish(message_id, "sent")
    sv.messages.link_provider(message_id, provider_id)
    sv.messages.advance(message_id, "sent", sv.clock.now())
    return "sent"


def settle_stale_sms(sv: SendingServices, message_id: str, claim: Claim, to: str,
                     body: str) -> str | None:
    """An attempt died mid-send of an SMS: ask Twilio what became of it.

    Returns "sent" (Twilio has it: recorded as sent), "duplicate" (another attempt
    settled it first), or None: it certainly was not sent, the claim is ours, send now.
    """
    assert sv.sms is not None
    now = sv.clock.now()
    since = datetime.fromtimestamp(claim.since, now.tzinfo) if now.tzinfo else now
    try:
        found = sv.sms.find_sent(to, body, since)
    except SendError:
        raise TransientSendError("cannot ask Twilio about an unknown send") from None
    if found is not None:
        sv.claims.finish(message_id, "sent")
        sv.messages.link_provider(message_id, found.provider_id)
        sv.messages.advance(message_id, "sent", now,
                            detail="found at Twilio after a worker stopped mid-send")
        return "sent"
    if sv.claims.take_over(message_id, claim, now) is None:
        return "duplicate"
    sv.messages.advance(message_id, "claimed", now,
                        detail="not at Twilio after a worker stopped mid-send; sending")
    return None
