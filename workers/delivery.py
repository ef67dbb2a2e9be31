"""Delivering one planned message: check it is still wanted, pick channels, render,
claim, hand over to the provider, record the fate.

Exactly once in effect: each (message, channel) is claimed in Redis before the
provider call (`bridge.store.claims`). A duplicate job finds the claim and does
nothing; a transient provider failure releases the claim and raises so the job is
retried; a permanent one is recorded and never retried. A claim left in flight by
a worker that died is resolved, not repeated: for SMS the bridge asks Twilio whether
the message went out (it lists everything it accepted) and sends only if it did not;
for e-mail, which cannot be asked, the message is recorded as `unknown`.

An SMS Twilio refuses because the customer opted out (a STOP the bridge had not heard
of) is skipped like one to a number known to have opted out, and under `sms_or_email`
the message then goes by e-mail, as it would have had the STOP been heard.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

import structlog

from bridge.booking import Label
from bridge.domain.channels import (
    Channel,
    ChannelPolicy,
    Reachability,
    choose_channels,
    parse_channel_policy,
)
from bridge.domain.messages import ASKS_TO_CONFIRM, MessageKind, PlannedMessage
from bridge.domain.snapshot import Snapshot
from bridge.outbound.contacts import Contact
from bridge.outbound.errors import TransientSendError
from bridge.rendering import RESCHEDULED_CONFIRM
from bridge.sending.facts import MessageFacts
from bridge.sending.handover import OPTED_OUT, hand_over, settle_stale_sms
from bridge.store.claims import Claim, ClaimState
from bridge.store.message_log import MessageRecord
from workers.deliver_checks import current_state, record_skip, why_not_send
from workers.rendering import Render, RenderedText
from workers.runtime import Runtime

__all__ = ["Delivery", "Outcome"]

log = structlog.get_logger(__name__)

#: Messages a customer may answer by SMS (JA, NEE, a code).
_ANSWERABLE = frozenset({MessageKind.CONFIRM_REQUEST, MessageKind.REMINDER})
_SMS_OPTED_OUT = f"{Channel.SMS.value}: {OPTED_OUT}"


def _asks_in_notice(message: PlannedMessage, state: Snapshot) -> bool:
    """A rescheduled notice planned to ask (`ASKS_TO_CONFIRM`, the move of a PENDING
    appointment) asks while the appointment still awaits confirmation; confirmed in the
    meantime, it goes out as the plain notice."""
    return (message.kind is MessageKind.RESCHEDULED and message.variant == ASKS_TO_CONFIRM
            and state.label is Label.PENDING)


@dataclass(frozen=True, slots=True)
class Outcome:
    message_key: str
    status: str  # sent | skipped | duplicate | unscheduled | failed | unknown
    detail: str = ""


class Delivery:
    def __init__(self, rt: Runtime, render: Render) -> None:
        self.rt = rt
        self.render = render
        self.policies = parse_channel_policy(rt.settings.channels)

    def deliver(self, message_key: str) -> list[Outcome]:
        """Deliver one planned message on its channels; raises `TransientSendError`."""
        rt = self.rt
        found = rt.plans.planned_with_previous_start(message_key)
        if found is None:
            return [Outcome(message_key, "unscheduled")]
        message, previous_start = found
        state = current_state(rt, message)
        now = rt.clock.now()  # after the re-read, which may take seconds under retries
        reason = why_not_send(message, state, now)
        if reason is not None:
            record_skip(rt, message, reason, now)
            return [Outcome(message_key, "skipped", reason)]
        contact = rt.contacts.get(state.customer_id) if state.customer_id else None
        if contact is None:
            record_skip(rt, message, "no_customer", now)
            return [Outcome(message_key, "skipped", "no_customer")]
        policy = self.policies.get(message.kind, ChannelPolicy.SMS_OR_EMAIL)
        choice = choose_channels(policy, self._reach(contact))
        outcomes = [self._refuse(message, contact, channel, why, now)
                    for channel, why in choice.refused]
        if not choice.send:
            return outcomes
        template = RESCHEDULED_CONFIRM if _asks_in_notice(message, state) else message.kind.value
        facts = rt.catalogue.facts(
            template, state, contact, previous_start=previous_start,
            practice_name=rt.settings.practice_name, practice_phone=rt.settings.practice_phone,
            confirmation_code=rt.confirmation_code(message.appointment_id),
            can_reply=choice.answerable_by_sms(rt.settings.sender_takes_replies),
        )
        sent = self._send_on(choice.send, message, state, contact, facts)
        if policy is ChannelPolicy.SMS_OR_EMAIL and _SMS_OPTED_OUT in {o.detail for o in sent}:
            sent += self._instead_of_sms(message, state, contact, facts)
        return outcomes + sent

    def _send_on(self, channels: tuple[Channel, ...], message: PlannedMessage,
                 state: Snapshot, contact: Contact, facts: MessageFacts) -> list[Outcome]:
        outcomes: list[Outcome] = []
        failures: list[TransientSendError] = []
        for channel in channels:
            try:
                outcomes.append(self._send(message, state, contact, channel, facts))
            except TransientSendError as exc:
                failures.append(exc)
        if failures:  # the others are claimed and done; a retry only redoes these
            raise failures[0]
        return outcomes

    def _instead_of_sms(self, message: PlannedMessage, state: Snapshot, contact: Contact,
                        facts: MessageFacts) -> list[Outcome]:
        """Twilio refused the SMS: the customer opted out (now recorded). E-mail instead,
        which they cannot answer by SMS."""
        problem = self._reach(contact).email_problem
        if problem is not None:
            return [self._refuse(message, contact, Channel.EMAIL, problem, self.rt.clock.now())]
        return self._send_on((Channel.EMAIL,), message, state, contact,
                             replace(facts, can_reply=False))

    def _reach(self, contact: Contact) -> Reachability:
        rt = self.rt
        sms_problem = contact.mobile_problem
        if contact.mobile and rt.optouts.is_opted_out(contact.mobile):
            sms_problem = "opted_out"
        elif contact.mobile and rt.sms is None:
            sms_problem = "sms_not_configured"
        email_problem = None if contact.email else "no_email_address"
        if contact.email and rt.mail is None:
            email_problem = "email_not_configured"
        return Reachability(sms_problem, email_problem)

    def _record(self, message: PlannedMessage, channel: Channel, recipient: str,
                status: str, now: datetime, text: RenderedText | None = None) -> str:
        message_id = f"{message.key}:{channel.value}"
        self.rt.messages.open(MessageRecord(
            message_id=message_id, message_key=message.key,
            appointment_id=message.appointment_id, kind=message.kind.value,
            channel=channel.value, recipient=recipient, status=status,
            text=text.text if text else "", subject=(text.subject or "") if text else "",
        ), now)
        return message_id

    def _refuse(self, message: PlannedMessage, contact: Contact, channel: Channel,
                why: str, now: datetime) -> Outcome:
        recipient = (contact.mobile or "") if channel is Channel.SMS else (contact.email or "")
        message_id = self._record(message, channel, recipient, "skipped", now)
        self.rt.messages.advance(message_id, "skipped", now, detail=why)
        record_skip(self.rt, message, why, now, channel=channel.value)
        return Outcome(message.key, "skipped", f"{channel.value}: {why}")

    def _send(self, message: PlannedMessage, state: Snapshot, contact: Contact,
              channel: Channel, facts: MessageFacts) -> Outcome:
        rt = self.rt
        now = rt.clock.now()
        text = self.render(facts, channel)
        recipient = contact.mobile if channel is Channel.SMS else contact.email
        assert recipient is not None
        message_id = self._record(message, channel, recipient, "claimed", now, text)
        claim = rt.claims.claim(message_id, now)
        if claim.state is ClaimState.BUSY:
            return Outcome(message.key, "duplicate", channel.value)
        if claim.state is ClaimState.DONE:
            if claim.raw == "done:sent":  # an attempt that died before the step below
                self._remember(message, state, channel, recipient)
            return Outcome(message.key, "duplicate", channel.value)
        if claim.state is ClaimState.STALE:
            resolved = self._resolve_stale(message_id, claim, channel, recipient, text)
            if resolved is not None:
                if resolved.status == "sent":
                    self._remember(message, state, channel, recipient)
                return resolved
        result = hand_over(rt.sending, message_id,
                           lambda: self._hand_over(channel, recipient, text))
        if result == "failed":
            return Outcome(message.key, "failed", channel.value)
        if result == OPTED_OUT:
            record_skip(rt, message, OPTED_OUT, rt.clock.now(), channel=channel.value)
            return Outcome(message.key, "skipped", f"{channel.value}: {OPTED_OUT}")
        self._remember(message, state, channel, recipient)
        return Outcome(message.key, "sent", channel.value)

    def _remember(self, message: PlannedMessage, state: Snapshot, channel: Channel,
                  recipient: str) -> None:
        """A prompt, a reminder or a notice that asks went out by SMS: the customer may
        answer it (#5)."""
        if channel is Channel.SMS and (message.kind in _ANSWERABLE
                                       or _asks_in_notice(message, state)):
            self.rt.conversations.remember(recipient, message.appointment_id,
                                           message.kind.value, state.start,
                                           self.rt.clock.now())

    def _hand_over(self, channel: Channel, recipient: str, text: RenderedText) -> str:
        rt = self.rt
        if channel is Channel.SMS:
            assert rt.sms is not None
            rt.sms_bucket.acquire()
            callback = rt.settings.public_url.rstrip("/") + "/twilio/status"
            return rt.sms.send(recipient, text.text, callback).provider_id
        assert rt.mail is not None
        return rt.mail.send(recipient, text.subject or "", text.text, text.html).message_id

    def _resolve_stale(self, message_id: str, claim: Claim, channel: Channel,
                       recipient: str, text: RenderedText) -> Outcome | None:
        """An attempt died mid-send. None means: it certainly sent nothing; send now."""
        rt = self.rt
        now = rt.clock.now()
        key = message_id.rsplit(":", 1)[0]
        if channel is Channel.EMAIL or rt.sms is None:
            rt.claims.finish(message_id, "unknown")
            rt.messages.advance(message_id, "unknown", now,
                                detail="a worker stopped mid-send; not repeated")
            return Outcome(key, "unknown", channel.value)
        settled = settle_stale_sms(rt.sending, message_id, claim, recipient, text.text)
        return None if settled is None else Outcome(key, settled, channel.value)

