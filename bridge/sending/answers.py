"""Sending the bridge's answer to a customer's SMS: once, whatever happens.

The answer to inbound message `sid` is claimed as `reply:<sid>:sms` before the
provider call, exactly like a planned message, so a retried job (after an upstream
error) or a duplicate delivery answers the customer once. An answer another attempt
is sending right now is not given up on (that attempt may fail and release it): the
job retries. One whose attempt died mid-send is settled by asking Twilio. The answer is
in the message log before it is rendered: a broken reply template leaves it `failed`
with the template named, and the reply handled.
"""

from __future__ import annotations

from bridge.domain.channels import Channel
from bridge.outbound.errors import TransientSendError
from bridge.rendering import MessageContext, RenderError
from bridge.sending.facts import MessageFacts
from bridge.sending.handover import claim_for_send, hand_over, settle_stale_sms
from bridge.sending.services import SendingServices
from bridge.sending.texts import render, unrenderable
from bridge.store.claims import ClaimState
from bridge.store.message_log import MessageRecord

__all__ = ["send_answer"]


def send_answer(sv: SendingServices, sid: str, phone: str, kind: str, language: str,
                context: MessageContext, appointment_id: int = 0) -> str:
    """Send the answer; returns what happened (sent, duplicate, failed, not_configured,
    opted_out)."""
    if sv.sms is None:
        return "not_configured"
    now = sv.clock.now()
    message_id = f"reply:{sid}:sms"
    sv.messages.open(MessageRecord(
        message_id=message_id, message_key=f"reply:{sid}", appointment_id=appointment_id,
        kind=kind, channel="sms", recipient=phone, status="claimed",
    ), now)
    claim = claim_for_send(sv, message_id, now)
    if claim.state is ClaimState.DONE:
        return "duplicate"
    if claim.state in (ClaimState.BUSY, ClaimState.ORPHANED):  # open: ask again later
        raise TransientSendError("another attempt is sending this answer now")
    try:
        rendered = render(sv, message_id, MessageFacts(kind, language, context), Channel.SMS)
    except RenderError as exc:  # recorded on the answer; never retried
        unrenderable(sv, message_id, exc)
        return "failed"
    if claim.state is ClaimState.STALE:
        settled = settle_stale_sms(sv, message_id, claim, phone, rendered.text)
        if settled is not None:
            return settled
    sms, callback = sv.sms, sv.status_callback
    return hand_over(sv, message_id, lambda: sms.send(phone, rendered.text, callback).provider_id)
