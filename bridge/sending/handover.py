"""Handing one claimed message to its provider and recording what came of it.

Shared by the planned messages (`bridge.sending.delivery`) and the answers to replies
(`bridge.sending.answers`): a transient failure releases the claim (nothing was sent, a
retry may send it) and raises; a permanent one is recorded and never retried; a
success is recorded with the provider's id, which status callbacks then find.

A refusal because the recipient opted out (Twilio's 21610 for a STOP the bridge has not
heard of yet: sent while the ingress was down, say) is an opt-out like a heard STOP:
recorded for the number, and the message skipped for it, not failed. It counts from
the moment of the attempt: Twilio had the STOP by then, and a START after it still wins.

`claim_for_send` is the claim as the send logic wants it: a claim too few replicas
acknowledged (`OABRIDGE_REDIS_MIN_REPLICAS`, `bridge.store.replication`), which the store
has already given back, is a hold, not a failure: recorded on the message as
`retrying` and raised as `SendHeldBack` (a `TransientSendError`), so a batch's other
channels go on and the message waits in the plan until a replica acknowledges again
(`bridge.sending.holds`), however long that takes.

A transient failure gives back only the claim it holds (`Claims.release` compares the
stored value with it): after a failover the new primary may hold another attempt's.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import structlog

from bridge.outbound.errors import (
    OptedOutError,
    PermanentSendError,
    SendHeldBack,
    TransientSendError,
)
from bridge.sending.services import SendingServices
from bridge.store.claims import Claim, NotReplicatedError

__all__ = ["claim_for_send", "hand_over", "linked_elsewhere", "record_found",
           "resolve_stale", "settle_stale_sms", "skip_claimed"]

log = structlog.get_logger(__name__)


#: How the message log and the skip stream name an opt-out (as for one known before).
OPTED_OUT = "opted_out"

#: How long a send whose stale claim Twilio's log could not settle (after the lookup's
#: own quick retries) waits before it is asked again: Twilio's 429s and 5xx pass in
#: seconds, and a reminder shortly before its appointment cannot wait 30 s.
UNREADABLE_LOG_PAUSE = timedelta(seconds=5)


def claim_for_send(sv: SendingServices, message_id: str, now: datetime) -> Claim:
    """`sv.claims.claim`, with a claim no replica acknowledged held back (`SendHeldBack`)."""
    try:
        return sv.claims.claim(message_id, now)
    except NotReplicatedError as exc:  # released already; the provider is not called
        sv.messages.advance(message_id, "retrying", sv.clock.now(),
                            detail="claim not acknowledged by a Redis replica")
        raise SendHeldBack(f"claim not replicated ({exc.acked} of {exc.wanted})") from exc


def hand_over(sv: SendingServices, message_id: str, send: Callable[[], str],
              claim: Claim | None = None) -> str:
    """Run `send` (which returns the provider's id) for a claimed message:
    sent | failed | opted_out. `claim` is the claim held (default: the one `sv.claims`
    granted last for the message), the only one a transient failure gives back."""
    attempted = sv.clock.now()
    try:
        provider_id = send()
    except TransientSendError as exc:
        sv.claims.release(message_id, claim)
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
    # Linked before the claim says done: a worker killed between the two leaves a claim
    # in flight, which the next attempt settles by finding this SID at Twilio; the other
    # way round it left the SMS sent, the claim done and nothing linking them (the full
    # soak: a batch's thread killed right after Twilio's accept).
    sv.messages.link_provider(message_id, provider_id)
    sv.claims.finish(message_id, "sent")
    sv.messages.advance(message_id, "sent", sv.clock.now())
    return "sent"


def linked_elsewhere(sv: SendingServices, provider_id: str, message_id: str) -> bool:
    """Whether the message log links the provider's `provider_id` to another message:
    one SMS found at Twilio is one message's (the 90 s and the 30 s reminder of one
    appointment have the same text)."""
    linked = sv.messages.by_provider_id(provider_id)
    return linked is not None and linked != message_id


def record_found(sv: SendingServices, message_id: str, provider_id: str, detail: str) -> None:
    """An SMS found at Twilio is this message's: linked, done, and sent on its timeline."""
    sv.messages.link_provider(message_id, provider_id)
    sv.claims.finish(message_id, "sent")
    sv.messages.advance(message_id, "sent", sv.clock.now(), detail=detail)


def skip_claimed(sv: SendingServices, message_id: str, why: str) -> None:
    """A claimed message that is not handed over after all: done, and skipped for `why`."""
    sv.claims.finish(message_id, "skipped")
    sv.messages.advance(message_id, "skipped", sv.clock.now(), detail=why)


def resolve_stale(sv: SendingServices, message_id: str, claim: Claim, email: bool,
                  recipient: str, body: str) -> str | None:
    """An attempt died mid-send: "sent" (found at Twilio), "duplicate" (another attempt
    settled it first), "unknown" (an e-mail that may have reached the mail server: not
    repeated), or None: it certainly sent nothing, the claim is ours, send now. An
    e-mail whose claim shows its worker never reached SMTP's DATA (no `handing` mark)
    certainly was not sent."""
    now = sv.clock.now()
    if email and claim.worker and not claim.handing:
        if sv.claims.take_over(message_id, claim, now) is None:
            return "duplicate"
        sv.messages.advance(message_id, "claimed", now,
                            detail="not handed to the mail server before a worker "
                                   "stopped; sending")
        return None
    if email or sv.sms is None:
        sv.claims.finish(message_id, "unknown")
        sv.messages.advance(message_id, "unknown", now,
                            detail="a worker stopped mid-send; not repeated")
        log.warning("message_unknown", message=message_id,
                    why="a worker stopped while handing it over; not repeated")
        return "unknown"
    return settle_stale_sms(sv, message_id, claim, recipient, body)


def settle_stale_sms(sv: SendingServices, message_id: str, claim: Claim, to: str,
                     body: str) -> str | None:
    """An attempt died mid-send of an SMS: ask Twilio what became of it.

    Returns "sent" (Twilio has it: recorded as sent), "duplicate" (another attempt
    settled it first), or None: it certainly was not sent, the claim is ours, send now.
    """
    assert sv.sms is not None
    now = sv.clock.now()
    since = datetime.fromtimestamp(claim.since, now.tzinfo) if now.tzinfo else now
    try:  # asked again after short pauses (`bridge.sending.recovery.LOOKUP_PAUSES`)
        # Not one another message has: the 30 s reminder, sent while the 90 s one's
        # claim waited to be judged, has its text (seen in the full soak: the 90 s
        # reminder recorded as sent with the 30 s one's SMS, and never sent).
        found = sv.recovery.find_sent(to, body.__eq__, since,
                                      taken=lambda sid: linked_elsewhere(sv, sid, message_id))
    except SendHeldBack:  # the claim stays stale: an attempt a little later asks again
        raise SendHeldBack("cannot ask Twilio about an unknown send",
                           until=now + UNREADABLE_LOG_PAUSE) from None
    if found is not None:
        record_found(sv, message_id, found.provider_id,
                     "found at Twilio after a worker stopped mid-send")
        return "sent"
    if sv.claims.take_over(message_id, claim, now) is None:
        return "duplicate"
    sv.messages.advance(message_id, "claimed", now,
                        detail="not at Twilio after a worker stopped mid-send; sending")
    return None
