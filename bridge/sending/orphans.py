"""The SMS of an attempt that died mid-send, settled when nothing will send it again.

A worker killed after Twilio accepted an SMS, before it recorded that, leaves the
message's claim in flight (`bridge.store.claims`). When the message is sent again, the
send path asks Twilio (`bridge.sending.handover.settle_stale_sms`). When it is not, its
appointment started, was moved or cancelled, or its plan is gone, nothing would: the
customer has the SMS, and the bridge's log would not say so. So such a message is first
looked for at Twilio: the earliest SMS to its number created from the claim's moment
to `ORPHAN_SECONDS` after it (the attempt's provider call ends within that), not
already another message's. Its text is not compared: what the message says now may
differ from what it said (a move changes the start). Found, it is recorded as sent.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import structlog

from bridge.domain.channels import Channel
from bridge.outbound.errors import SendError, TransientSendError
from bridge.sending.handover import linked_elsewhere, record_found
from bridge.sending.services import SendingServices
from bridge.store.claims import ORPHAN_SECONDS, ClaimState

__all__ = ["settle_orphaned_sms"]

log = structlog.get_logger(__name__)


def settle_orphaned_sms(sv: SendingServices, message_key: str) -> bool:
    """Whether the message's SMS, claimed by an attempt whose worker is gone, turned out
    to be at Twilio (now recorded as sent, with its id). Nothing is sent here. Twilio's
    log unreadable (after the short retries of `Recovery.first_sent_between`) raises
    `TransientSendError`: the job is retried by RQ (a hold would not do: a message no
    longer planned is not dispatched again), and ends visibly failed if the log never
    answers. Seen in the full soak: injected Twilio errors left SMS a killed worker had
    handed over unrecorded, their messages skipped."""
    if sv.sms is None:
        return False
    message_id = f"{message_key}:{Channel.SMS.value}"
    claim = sv.claims.peek(message_id, sv.clock.now())
    if claim is None or claim.state not in (ClaimState.ORPHANED, ClaimState.STALE):
        return False
    record = sv.messages.get(message_id)
    if record is None or not record.recipient:
        return False
    since = datetime.fromtimestamp(claim.since, UTC)
    try:
        found = sv.recovery.first_sent_between(
            record.recipient, since, since + timedelta(seconds=ORPHAN_SECONDS + 1),
            taken=lambda sid: linked_elsewhere(sv, sid, message_id))
    except SendError as exc:
        log.warning("orphaned_send_not_resolved", message=message_key,
                    why=type(exc).__name__)
        raise TransientSendError("cannot ask Twilio whether a stopped attempt's SMS "
                                 "went out") from None
    if found is None:
        return False
    record_found(sv, message_id, found.provider_id,
                 "found at Twilio after a worker stopped mid-send")
    log.info("orphaned_send_found", message=message_key, sid=found.provider_id)
    return True
