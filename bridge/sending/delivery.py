"""Delivering one planned message: check it is still wanted, pick channels, record,
render, claim, hand over to the provider, record the fate.

Exactly once in effect: each (message, channel) is claimed in Redis before the
provider call (`bridge.store.claims`). A duplicate job finds the claim and does
nothing; a transient provider failure releases the claim and raises so the job is
retried; a permanent one is recorded and never retried. A claim left in flight by
a worker that died is resolved, not repeated: for SMS the bridge asks Twilio whether
the message went out (it lists everything it accepted) and sends only if it did not;
for e-mail, which cannot be asked, it sends only when the claim shows the attempt never
reached SMTP's DATA, and otherwise records the message as `unknown`.

Each channel's message is in the message log before its text is rendered, so a
template that does not render leaves the message `failed` (and its claim done) with
the template and the problem named (`bridge.sending.texts`); the others go on.

After Redis forgot what it had sent (`bridge.sending.recovery`), an SMS that may have
gone out before asks Twilio first (`bridge.sending.asked_first`): found in its log, it
is recorded as sent instead of sent again; one that may have gone by e-mail is skipped;
an e-mail whose time came before the loss is skipped (`MEMORY_LOST`); an unseen
cancellation its customer asked for by SMS is skipped (`bridge.sending.own_cancellation`).
Twilio's log that cannot be read holds the SMS back (`SendHeldBack`): it waits, and is
never sent blind. No epoch written yet (a Redis just emptied, before a ticker decided what that
means) holds every send back the same way.

An SMS Twilio refuses because the customer opted out (a STOP the bridge had not heard
of) is skipped like one to a number known to have opted out, and under `sms_or_email`
the message then goes by e-mail, as it would have had the STOP been heard.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import structlog

from bridge.domain.channels import (
    Channel,
    ChannelChoice,
    ChannelPolicy,
    Reachability,
    choose_channels,
)
from bridge.domain.messages import (
    APPOINTMENT_STARTED,
    ASKS_TO_CONFIRM,
    MessageKind,
    PlannedMessage,
)
from bridge.domain.plan import PlanSettings
from bridge.domain.snapshot import Snapshot
from bridge.domain.status import Label
from bridge.outbound.contacts import Contact
from bridge.outbound.errors import SendHeldBack, TransientSendError
from bridge.rendering import RESCHEDULED_CONFIRM, Rendered, RenderError
from bridge.sending.asked_first import Asked, ask_first
from bridge.sending.erased import contact_to_send_to, swept_after_send
from bridge.sending.facts import MessageFacts
from bridge.sending.handover import (
    OPTED_OUT,
    claim_for_send,
    hand_over,
    linked_elsewhere,
    resolve_stale,
    skip_claimed,
)
from bridge.sending.orphans import settle_orphaned_sms
from bridge.sending.own_cancellation import CANCELLED_BY_REPLY, cancelled_by_reply
from bridge.sending.recovery import MEMORY_LOST, texts_it_had
from bridge.sending.repeated_notice import sms_found_before_loss
from bridge.sending.services import SendingServices
from bridge.sending.still_wanted import (
    KEEPS_CONVERSATION,
    current_state,
    skip,
    too_late,
    why_not_send,
)
from bridge.sending.texts import render, unrenderable
from bridge.store.claims import (
    Claim,
    ClaimLostError,
    ClaimState,
    NotReplicatedError,
)
from bridge.store.conversations import Asking
from bridge.store.epoch import Epoch
from bridge.store.message_log import MessageRecord

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
    def __init__(self, sv: SendingServices) -> None:
        self.sv = sv

    def deliver(self, message_key: str) -> list[Outcome]:
        """Deliver one planned message on its channels; raises `TransientSendError`."""
        sv = self.sv
        found = sv.plans.planned_with_previous_start(message_key)
        if found is None:
            settle_orphaned_sms(sv, message_key)  # no attempt will: recorded if it went
            return [Outcome(message_key, "unscheduled")]
        message, previous_start = found
        state = current_state(sv, message)
        now = sv.clock.now()  # after the re-read, which may take seconds under retries
        reason = why_not_send(message, state, now)
        if reason is not None:
            if settle_orphaned_sms(sv, message_key):  # a dead attempt's SMS went out
                return [Outcome(message_key, "sent", Channel.SMS.value)]
            if reason in KEEPS_CONVERSATION:  # after a loss: reopen what it had opened
                self._rebuild_conversation(message, state, previous_start)
            sv.skips.record(skip(message, reason), now)
            return [Outcome(message_key, "skipped", reason)]
        contact, why = contact_to_send_to(sv, state.customer_id)  # none to erased people
        if contact is None:
            sv.skips.record(skip(message, why), now)
            return [Outcome(message_key, "skipped", why)]
        if cancelled_by_reply(sv, message, state, contact.mobile):  # the reply tells
            sv.skips.record(skip(message, CANCELLED_BY_REPLY), now)
            return [Outcome(message_key, "skipped", CANCELLED_BY_REPLY)]
        try:
            return self._deliver_to(message, state, contact, previous_start, now)
        finally:  # an erasure that ran since the check: what this send wrote goes too
            if swept_after_send(sv, state.customer_id, [contact.mobile], [contact.email]):
                log.info("message_erased_while_sent", message=message_key)

    def _deliver_to(self, message: PlannedMessage, state: Snapshot, contact: Contact,
                    previous_start: datetime | None, now: datetime) -> list[Outcome]:
        sv = self.sv
        policy = sv.policies.get(message.kind, ChannelPolicy.SMS_OR_EMAIL)
        choice = choose_channels(policy, self._reach(contact))
        outcomes = [self._refuse(message, contact, channel, why, now)
                    for channel, why in choice.refused]
        if not choice.send:
            return outcomes
        went = self._went_another_way(message, policy, choice.send)
        if went is not None:
            return [*outcomes, Outcome(message.key, "duplicate", went.value)]
        facts = self._facts(message, state, contact, choice, previous_start)
        sent = self._send_on(choice.send, message, state, contact, facts)
        if policy is ChannelPolicy.SMS_OR_EMAIL and _SMS_OPTED_OUT in {o.detail for o in sent}:
            sent += self._instead_of_sms(message, state, contact, facts)
        return outcomes + sent

    def _went_another_way(self, message: PlannedMessage, policy: ChannelPolicy,
                          chosen: tuple[Channel, ...]) -> Channel | None:
        """Under `sms_or_email` a message goes one way: if an earlier attempt sent it on
        the channel not chosen now, that channel. A rerun chooses again, and what a
        customer can be reached by changes (an opt-out, a START): seen in the soak, a
        cancellation e-mailed while the number was opted out, then sent by SMS after the
        customer opted in again, when a killed worker's job ran again."""
        if policy is not ChannelPolicy.SMS_OR_EMAIL:
            return None
        for channel in Channel:
            if channel in chosen:
                continue
            claim = self.sv.claims.peek(f"{message.key}:{channel.value}", self.sv.clock.now())
            if claim is not None and claim.sent:
                return channel
        return None

    def _facts(self, message: PlannedMessage, state: Snapshot, contact: Contact,
               choice: ChannelChoice, previous_start: datetime | None) -> MessageFacts:
        sv = self.sv
        template = RESCHEDULED_CONFIRM if _asks_in_notice(message, state) else message.kind.value
        return sv.catalogue.facts(
            template, state, contact, previous_start=previous_start,
            practice_name=sv.practice_name, practice_phone=sv.practice_phone,
            confirmation_code=sv.codes.get(message.appointment_id),
            can_reply=choice.answerable_by_sms(sv.sender_takes_replies),
        )

    def _rebuild_conversation(self, message: PlannedMessage, state: Snapshot,
                              previous_start: datetime | None) -> None:
        """After a loss, a message skipped for a reason that leaves its conversation
        open (`KEEPS_CONVERSATION`: a prompt whose appointment was confirmed meanwhile):
        if Twilio's log shows its SMS went out before, the customer may still answer it
        (a NEE cancels), so the conversation the loss took is remembered again. Nothing
        is sent. Only while recovering or for a message whose time came before the loss,
        and only for an answerable SMS: the cost is one bounded lookup. Twilio's log
        that cannot be read leaves the conversation lost (logged): the skip is the
        message's fate either way, and a reply then gets the safe "no appointment"
        answer, not a wrong one."""
        sv = self.sv
        if sv.sms is None or message.kind not in _ANSWERABLE:
            return
        try:
            epoch = sv.recovery.epoch()
        except SendHeldBack:  # no epoch yet: nothing known lost, nothing to look up
            return
        if epoch.lost_at is None:
            return
        settings = sv.plan_settings()
        if not (epoch.recovering or sv.recovery.came_before_loss(epoch, message, state,
                                                                 settings)):
            return
        message_id = f"{message.key}:{Channel.SMS.value}"
        try:
            sms = self._sms_text(message, state, previous_start)
            if sms is None:
                return
            mobile, text, facts = sms
            found = sv.recovery.find_sent(
                mobile, texts_it_had(sv.renderer, facts, text),
                sv.recovery.lookup_since(epoch, message, state, settings),
                taken=lambda sid: linked_elsewhere(sv, sid, message_id))
        except (RenderError, SendHeldBack, ValueError) as exc:
            log.warning("recovery_conversation_not_rebuilt", message=message.key,
                        why=type(exc).__name__)
            return
        if found is None:
            return
        self._remember(message, state, Channel.SMS, mobile)
        sv.recovery.epochs.count("conversation_rebuilt")
        log.info("recovery_conversation_rebuilt", message=message.key, sid=found.provider_id)

    def _sms_text(self, message: PlannedMessage, state: Snapshot,
                  previous_start: datetime | None) -> tuple[str, str, MessageFacts] | None:
        """The number, text and facts the message's SMS has (or had), if it goes by SMS
        at all; raises `RenderError` for a template that does not render."""
        sv = self.sv
        contact, _ = contact_to_send_to(sv, state.customer_id)
        if contact is None or not contact.mobile:
            return None
        policy = sv.policies.get(message.kind, ChannelPolicy.SMS_OR_EMAIL)
        choice = choose_channels(policy, self._reach(contact))
        if Channel.SMS not in choice.send:
            return None
        facts = self._facts(message, state, contact, choice, previous_start)
        text = sv.renderer.render(facts.kind, facts.language, Channel.SMS.value,
                                  facts.context).text
        return contact.mobile, text, facts

    def _send_on(self, channels: tuple[Channel, ...], message: PlannedMessage,
                 state: Snapshot, contact: Contact, facts: MessageFacts) -> list[Outcome]:
        outcomes: list[Outcome] = []
        failures: list[TransientSendError] = []
        for channel in channels:
            try:
                outcomes.append(self._send(message, state, contact, channel, facts,
                                           beside_sms=Channel.SMS in channels))
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
            return [self._refuse(message, contact, Channel.EMAIL, problem, self.sv.clock.now())]
        return self._send_on((Channel.EMAIL,), message, state, contact, facts.unanswerable())

    def _reach(self, contact: Contact) -> Reachability:
        sv = self.sv
        sms_problem = contact.mobile_problem
        if contact.mobile and sv.optouts.is_opted_out(contact.mobile):
            sms_problem = "opted_out"
        elif contact.mobile and sv.sms is None:
            sms_problem = "sms_not_configured"
        email_problem = None if contact.email else contact.email_problem or "no_email_address"
        if contact.email and sv.mail is None:
            email_problem = "email_not_configured"
        return Reachability(sms_problem, email_problem)

    def _record(self, message: PlannedMessage, channel: Channel, recipient: str,
                status: str, now: datetime) -> str:
        message_id = f"{message.key}:{channel.value}"
        self.sv.messages.open(MessageRecord(
            message_id=message_id, message_key=message.key,
            appointment_id=message.appointment_id, kind=message.kind.value,
            channel=channel.value, recipient=recipient, status=status,
        ), now)
        return message_id

    def _refuse(self, message: PlannedMessage, contact: Contact, channel: Channel,
                why: str, now: datetime) -> Outcome:
        recipient = (contact.mobile or "") if channel is Channel.SMS else (contact.email or "")
        # Opened as planned, so that the move to skipped is counted (/metrics).
        message_id = self._record(message, channel, recipient, "planned", now)
        self.sv.messages.advance(message_id, "skipped", now, detail=why)
        return self._skipped(message, channel, why)

    def _skipped(self, message: PlannedMessage, channel: Channel, why: str) -> Outcome:
        """One channel's message skipped: in the skip stream, and as its outcome."""
        self.sv.skips.record(skip(message, why, channel.value), self.sv.clock.now())
        return Outcome(message.key, "skipped", f"{channel.value}: {why}")

    def _send(self, message: PlannedMessage, state: Snapshot, contact: Contact,
              channel: Channel, facts: MessageFacts, beside_sms: bool) -> Outcome:
        sv = self.sv
        recipient = contact.mobile if channel is Channel.SMS else contact.email
        assert recipient is not None
        epoch = sv.recovery.epoch()  # one GET; held back while no epoch is written
        settings = sv.plan_settings() if epoch.lost_at is not None else None
        before_loss = settings is not None and sv.recovery.came_before_loss(
            epoch, message, state, settings)
        repeat = sv.recovery.may_repeat(epoch, message, state)
        if channel is Channel.EMAIL and (before_loss or (
                repeat and beside_sms and sms_found_before_loss(sv, message))):
            sv.recovery.epochs.count("email_skipped")
            return self._refuse(message, contact, channel, MEMORY_LOST, sv.clock.now())
        ask_twilio = channel is Channel.SMS and (epoch.recovering or before_loss or repeat)
        message_id = self._record(message, channel, recipient, "claimed", sv.clock.now())
        claim = claim_for_send(sv, message_id, sv.clock.now())  # a replica saw it
        taken = self._taken(message, state, channel, recipient, claim)
        if taken is not None:
            return taken
        try:
            text = render(sv, message_id, facts, channel)
        except RenderError as exc:  # recorded on the message; never retried
            unrenderable(sv, message_id, exc)
            return Outcome(message.key, "failed", channel.value)
        if claim.state is ClaimState.STALE:
            resolved = resolve_stale(sv, message_id, claim, channel is Channel.EMAIL,
                                     recipient, text.text)
            if resolved is not None:
                if resolved == "sent":
                    self._remember(message, state, channel, recipient)
                return Outcome(message.key, resolved, channel.value)
        if ask_twilio:
            matches = texts_it_had(sv.renderer, facts, text.text)
            asked = self._ask_first(message, state, contact, message_id, matches, epoch,
                                    settings or sv.plan_settings(), before_loss)
            if asked is not None:
                return asked
        return self._hand_over_claimed(message, state, channel, recipient, message_id, text)

    def _ask_first(self, message: PlannedMessage, state: Snapshot, contact: Contact,
                   message_id: str, matches: Callable[[str], bool], epoch: Epoch,
                   settings: PlanSettings, before_loss: bool) -> Outcome | None:
        """After a loss (`ask_first`): the SMS found at Twilio or skipped as maybe
        e-mailed; None: send it."""
        sv = self.sv
        channel, mobile = Channel.SMS, contact.mobile or ""
        asked = ask_first(
            sv, message_id, mobile, matches, epoch,
            sv.recovery.lookup_since(epoch, message, state, settings),
            could_have_emailed=before_loss and self._could_have_emailed(message, contact))
        if asked is Asked.FOUND:
            self._remember(message, state, channel, mobile)
            return Outcome(message.key, "sent", channel.value)
        if asked is Asked.MAYBE_EMAILED:
            return self._skipped(message, channel, MEMORY_LOST)
        return None

    def _hand_over_claimed(self, message: PlannedMessage, state: Snapshot, channel: Channel,
                           recipient: str, message_id: str, text: Rendered) -> Outcome:
        """The provider call for a claimed message, unless the start came too near."""
        sv = self.sv
        if too_late(state, sv.clock.now()):  # what came before the call took long
            skip_claimed(sv, message_id, APPOINTMENT_STARTED)
            return self._skipped(message, channel, APPOINTMENT_STARTED)
        # Remembered before the provider call: a worker killed after Twilio accepted the
        # SMS, before anything after it, leaves the customer able to answer (the soak: a
        # code answered "no appointment" while the dead worker's claim was settled).
        asking = self._remember(message, state, channel, recipient, message_id)
        try:
            result = hand_over(sv, message_id,
                               lambda: self._hand_over(channel, recipient, text, message_id))
        except TransientSendError:  # nothing went out: the claim is given back
            self._take_back(asking)  # the soak: a NEE to a prompt never sent cancelled
            raise
        if result == "failed":
            self._take_back(asking)
            return Outcome(message.key, "failed", channel.value)
        if result == OPTED_OUT:
            self._take_back(asking)
            return self._skipped(message, channel, OPTED_OUT)
        return Outcome(message.key, "sent", channel.value)

    def _could_have_emailed(self, message: PlannedMessage, contact: Contact) -> bool:
        """Whether the message went by e-mail had the number been opted out."""
        policy = self.sv.policies.get(message.kind, ChannelPolicy.SMS_OR_EMAIL)
        return policy is ChannelPolicy.SMS_OR_EMAIL and self._reach(contact).email_problem is None

    def _taken(self, message: PlannedMessage, state: Snapshot, channel: Channel,
               recipient: str, claim: Claim) -> Outcome | None:
        """What another attempt's claim means for this one; None: go on (ours or stale)."""
        if claim.state is ClaimState.BUSY:  # its attempt lives and finishes it
            return Outcome(message.key, "duplicate", channel.value)
        if claim.state is ClaimState.ORPHANED:  # its worker died: asked about once ripe
            raise SendHeldBack("another attempt's worker stopped mid-send",
                               until=datetime.fromtimestamp(claim.ripe_at, UTC))
        if claim.state is ClaimState.DONE:
            if claim.sent:  # an attempt that died before the step below
                self._remember(message, state, channel, recipient)
            return Outcome(message.key, "duplicate", channel.value)
        return None

    def _remember(self, message: PlannedMessage, state: Snapshot, channel: Channel,
                  recipient: str, message_id: str = "") -> Asking | None:
        """A prompt, a reminder or a notice that asks went out by SMS: the customer may
        answer it (#5). What was written, or None when the message asks nothing."""
        if channel is not Channel.SMS or not (message.kind in _ANSWERABLE
                                              or _asks_in_notice(message, state)):
            return None
        return self.sv.conversations.remember(recipient, message.appointment_id,
                                              message.kind.value, state.start,
                                              self.sv.clock.now(), by=message_id)

    def _take_back(self, asking: Asking | None) -> None:
        """The SMS the customer was to answer never reached them: the conversation is
        put back as this attempt found it, unless another SMS about the appointment
        wrote since (a reminder sent while this prompt was refused for now: the full
        soak's NEE to it was answered "no appointment")."""
        if asking is not None:
            self.sv.conversations.take_back(asking)

    def _hand_over(self, channel: Channel, recipient: str, text: Rendered,
                   message_id: str) -> str:
        sv = self.sv
        if channel is Channel.SMS:
            assert sv.sms is not None
            sv.sms_bucket.acquire()
            return sv.sms.send(recipient, text.text, sv.status_callback).provider_id
        assert sv.mail is not None
        return sv.mail.send(recipient, text.subject or "", text.text, text.html,
                            handing=lambda mid: self._handing(message_id, mid)).message_id

    def _handing(self, message_id: str, provider_id: str) -> None:
        """The e-mail goes to the mail server now: its claim says so first (a stale claim
        without the mark is an e-mail certainly never handed over: `resolve_stale`), and
        its record names its Message-ID (a worker killed once the server has it leaves
        the e-mail `unknown`, but linked: seen in the suite's short soak)."""
        try:
            self.sv.claims.mark_handing(message_id)
            self.sv.messages.link_provider(message_id, provider_id)
        except ClaimLostError as exc:
            raise SendHeldBack(str(exc)) from None
        except NotReplicatedError as exc:
            raise SendHeldBack(f"claim not replicated ({exc.acked} of {exc.wanted})") from None
