"""Handing one claimed message to its provider and recording what came of it.

Shared by the planned messages (`workers.delivery`) and the answers to replies
(`workers.answers`): a transient failure releases the claim (nothing was sent, a
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
from bridge.store.claims import Claim
from workers.runtime import Runtime

__all__ = ["hand_over", "settle_stale_sms"]

log = structlog.get_logger(__name__)


#: How the message log and the skip stream name an opt-out (as for one known before).
OPTED_OUT = "opted_out"


def hand_over(rt: Runtime, message_id: str, send: Callable[[], str]) -> str:
    """Run `send` (which returns the provider's id) for a claimed message:
    sent | failed | opted_out."""
    attempted = rt.clock.now()
    try:
        provider_id = send()
    except TransientSendError as exc:
        rt.claims.release(message_id)
        rt.messages.advance(message_id, "retrying", rt.clock.now(), code=exc.code,
                            detail=exc.reason)
        raise
    except OptedOutError as exc:
        rt.optouts.opt_out(exc.recipient, str(exc.code), attempted)
        rt.claims.finish(message_id, OPTED_OUT)
        rt.messages.advance(message_id, "skipped", rt.clock.now(), code=exc.code,
                            detail=OPTED_OUT)
        log.info("message_opted_out", message=message_id, code=exc.code)
        return OPTED_OUT
    except PermanentSendError as exc:
        rt.claims.finish(message_id, "failed")
        rt.messages.advance(message_id, "failed", rt.clock.now(), code=exc.code,
                            detail=exc.reason)
        log.info("message_failed", message=message_id, code=exc.code)
        return "failed"
    rt.claims.finish(message_id, "sent")
    rt.messages.link_provider(message_id, provider_id)
    rt.messages.advance(message_id, "sent", rt.clock.now())
    return "sent"


def settle_stale_sms(rt: Runtime, message_id: str, claim: Claim, to: str,
                     body: str) -> str | None:
    """An attempt died mid-send of an SMS: ask Twilio what became of it.

    Returns "sent" (Twilio has it: recorded as sent), "duplicate" (another attempt
    settled it first), or None: it certainly was not sent, the claim is ours, send now.
    """
    assert rt.sms is not None
    now = rt.clock.now()
    since = datetime.fromtimestamp(claim.since, now.tzinfo) if now.tzinfo else now
    try:
        found = rt.sms.find_sent(to, body, since)
    except SendError:
        raise TransientSendError("cannot ask Twilio about an unknown send") from None
    if found is not None:
        rt.claims.finish(message_id, "sent")
        rt.messages.link_provider(message_id, found.provider_id)
        rt.messages.advance(message_id, "sent", now,
                            detail="found at Twilio after a worker stopped mid-send")
        return "sent"
    if rt.claims.take_over(message_id, claim, now) is None:
        return "duplicate"
    rt.messages.advance(message_id, "claimed", now,
                        detail="not at Twilio after a worker stopped mid-send; sending")
    return None
