"""Handling a customer's SMS reply: understand it, act upstream, answer once.

- Which appointment: the most recent prompted or reminded, still upcoming, still live
  appointment of that number (`bridge.store.conversations`); with several open ones the
  bridge asks which (numbered choices, at most three) instead of guessing.
- Confirm (JA, a code): only a PENDING appointment is confirmed upstream, with the code
  from the reply or from a change notice; `Confirmed=0` answers "that code is not
  right"; an approved one "already confirmed"; without any code, the bridge asks for it.
- Cancel (NEE): `cancelAppointment` in customer mode with DryRun first; if allowed, the
  real cancel (which also drops the pending reminders), else "too late, call us".
- STOP and the other opt-out words are recorded per number and honoured by every later
  SMS; START (and YES from an opted-out number) lifts it. Twilio answers these words
  and HELP/INFO itself, and blocks messages to an opted-out number: the bridge is silent.
- Anything else gets the help text and changes nothing.

Each change made upstream is recorded, sender masked (`bridge.store.reply_effects`).

What was decided is stored with the inbound message before the answer goes out, so a
retry after an upstream error answers once, with the first decision.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import requests
import structlog
from rq.job import Job
from twilio.base.exceptions import TwilioException

from bridge.booking import Appointment, BookingApiError, BookingError, BookingNotFoundError, Label
from bridge.domain.intents import Intent, Reply, understand
from bridge.domain.messages import MessageKind, message_key
from bridge.domain.snapshot import Snapshot
from bridge.observability.masking import mask_phone
from bridge.queueing.jobs import JOBS
from bridge.rendering import Choice, MessageContext
from bridge.sending.answers import send_answer
from bridge.store import keys
from bridge.store.conversations import PendingChoice
from bridge.store.inbound import InboundMessage
from bridge.store.reply_effects import ReplyEffect
from bridge.store.text import as_text
from bridge.sync.snapshots import snapshot_of
from workers import runtime
from workers.runtime import Runtime
from workers.tracing import traced

__all__ = ["handle_reply", "reconcile_inbound"]

log = structlog.get_logger(__name__)

MAX_CHOICES = 3
#: A recorded reply still unhandled after this long had its job lost; queue it again.
STUCK_SECONDS = 300


@dataclass
class Decision:
    answer: str  # a reply template kind, or "" for no answer
    appointment_id: int = 0
    choices: list[int] = field(default_factory=list)
    action: str | None = None

    def to_json(self) -> str:
        return json.dumps({"answer": self.answer, "appointment": self.appointment_id,
                           "choices": self.choices, "action": self.action})

    @classmethod
    def from_json(cls, text: str) -> Decision:
        data = json.loads(text)
        return cls(str(data["answer"]), int(data["appointment"]),
                   [int(i) for i in data["choices"]], data.get("action"))


def _live(rt: Runtime, phone: str, appointment_id: int) -> Appointment | None:
    try:
        appointment = rt.booking.get_appointment(appointment_id)
    except BookingNotFoundError:
        rt.conversations.forget(phone, appointment_id)
        return None
    over = appointment.start <= rt.clock.now()
    if over or appointment.label in {Label.CANCELLED, Label.FINISHED}:
        rt.conversations.forget(phone, appointment_id)
        return None
    return appointment


def _record_state(rt: Runtime, appointment: Appointment) -> None:
    known = rt.plans.snapshot(appointment.id)
    if known is not None:
        rt.plans.observe([snapshot_of(appointment, known.agenda_id)],
                         rt.plan_settings(), rt.clock.now())


def _changed(rt: Runtime, phone: str, before: Appointment, action: str) -> None:
    """Record the appointment's new state, and what the reply changed upstream."""
    after = rt.booking.get_appointment(before.id)
    _record_state(rt, after)
    rt.reply_effects.record(ReplyEffect(
        before.id, before.label.name, after.label.name, action, "sms", mask_phone(phone),
        rt.clock.now().timestamp()))


def _confirm(rt: Runtime, phone: str, appointment: Appointment, code: str | None) -> Decision:
    if appointment.label is Label.APPROVED:
        return Decision("reply_already_confirmed", appointment.id)
    if appointment.label is not Label.PENDING:
        return Decision("reply_no_appointment", appointment.id)
    code = code or rt.confirmation_code(appointment.id)
    if not code:
        return Decision("reply_need_code", appointment.id)
    if not rt.booking.confirm_appointment(appointment.id, code):
        return Decision("reply_wrong_code", appointment.id)
    _changed(rt, phone, appointment, "confirmed")
    return Decision("reply_confirmed", appointment.id)


def _cancel(rt: Runtime, phone: str, appointment: Appointment) -> Decision:
    try:
        rt.booking.cancel_appointment(appointment.id, dry_run=True)
    except BookingNotFoundError:
        return Decision("reply_no_appointment", appointment.id)
    except BookingApiError:
        return Decision("reply_too_late", appointment.id)
    rt.booking.cancel_appointment(appointment.id)
    # The answer below tells the customer; the cancellation notice would say it twice.
    notice = message_key(appointment.id, MessageKind.CANCELLED, "", appointment.start)
    rt.redis.set(keys.dispatched(notice), "answered_by_reply",
                 ex=keys.AFTER_APPOINTMENT_SECONDS)
    _changed(rt, phone, appointment, "cancelled")
    rt.conversations.forget(phone, appointment.id)
    return Decision("reply_cancelled", appointment.id)


def _act(rt: Runtime, phone: str, action: str, appointment: Appointment,
         code: str | None) -> Decision:
    return _confirm(rt, phone, appointment, code) if action == "confirm" else \
        _cancel(rt, phone, appointment)


def _about_appointment(rt: Runtime, phone: str, action: str, code: str | None) -> Decision:
    live = (_live(rt, phone, i) for i in rt.conversations.asked_about(phone))
    candidates = sorted((a for a in live if a is not None), key=lambda a: a.start)
    if not candidates:
        return Decision("reply_no_appointment")
    if len(candidates) == 1:
        return _act(rt, phone, action, candidates[0], code)
    shown = candidates[:MAX_CHOICES]
    rt.conversations.ask(phone, PendingChoice(action, tuple(a.id for a in shown), code))
    return Decision("reply_choose", choices=[a.id for a in shown], action=action)


def _decide(rt: Runtime, phone: str, reply: Reply, sent: datetime) -> Decision:
    """`sent`: when the reply was received, which orders opt-outs and opt-ins."""
    if reply.intent is Intent.OPT_OUT:
        rt.optouts.opt_out(phone, reply.keyword, sent)
        return Decision("")
    if reply.intent is Intent.OPT_IN:
        rt.optouts.opt_in(phone, sent)
    if reply.intent in {Intent.OPT_IN, Intent.HELP}:  # Twilio has answered these
        return Decision("")
    if reply.intent in {Intent.CONFIRM, Intent.CODE}:
        return _about_appointment(rt, phone, "confirm", reply.code)
    if reply.intent is Intent.CANCEL:
        return _about_appointment(rt, phone, "cancel", None)
    if reply.intent is Intent.CHOICE:
        question = rt.conversations.take_question(phone)
        if question is None or not reply.choice or reply.choice > len(question.appointment_ids):
            return Decision("reply_help")
        appointment = _live(rt, phone, question.appointment_ids[reply.choice - 1])
        if appointment is None:
            return Decision("reply_no_appointment")
        return _act(rt, phone, question.action, appointment, question.code)
    return Decision("reply_help")


def _context(rt: Runtime, decision: Decision) -> MessageContext:
    appointment = None
    if decision.appointment_id:
        try:
            appointment = rt.booking.get_appointment(decision.appointment_id)
        except BookingNotFoundError:
            appointment = None
    choices = []
    for number, ident in enumerate(decision.choices, start=1):
        try:
            chosen = rt.booking.get_appointment(ident)
        except BookingNotFoundError:
            continue
        choices.append(Choice(number, chosen.start, chosen.name))
    return MessageContext(
        practice_name=rt.catalogue.practice_name(rt.settings.practice_name, _agenda(rt, decision)),
        practice_phone=rt.settings.practice_phone,
        start=appointment.start if appointment else None,
        end=appointment.finish if appointment else None,
        appointment_type=appointment.name if appointment else "",
        choices=tuple(choices),
        action="confirm" if decision.action == "confirm" else
        ("cancel" if decision.action == "cancel" else None),
        can_reply=rt.settings.sender_takes_replies,
    )


def _snapshot(rt: Runtime, decision: Decision) -> Snapshot | None:
    ident = decision.appointment_id or (decision.choices[0] if decision.choices else 0)
    return rt.plans.snapshot(ident) if ident else None


def _agenda(rt: Runtime, decision: Decision) -> int | None:
    """The agenda the answer is about; with none, the account's only agenda (if one)."""
    known = _snapshot(rt, decision)
    try:
        agendas = (known.agenda_id,) if known is not None else rt.agendas()
    except BookingError:  # a name is nice to have; the answer still goes out
        return None
    return agendas[0] if len(agendas) == 1 else None


def _language(rt: Runtime, decision: Decision) -> str:
    known = _snapshot(rt, decision)
    if known is not None and known.customer_id:
        contact = rt.contacts.get(known.customer_id)
        if contact is not None:
            return contact.language
    return rt.settings.default_language


@traced
def handle_reply(message_sid: str) -> dict[str, Any]:
    rt = runtime.current()
    message = rt.inbound.get(message_sid)
    if message is None or message.state != "received":
        return {"message": message_sid, "status": "nothing to do"}
    decision = _decision_for(rt, message)
    outcome = "no answer"
    if decision.answer:
        outcome = send_answer(rt.sending, message_sid, message.sender, decision.answer,
                              _language(rt, decision), _context(rt, decision),
                              decision.appointment_id)
    rt.inbound.finish(message_sid, "handled")
    log.info("reply_handled", answer=decision.answer or "none", outcome=outcome)
    return {"message": message_sid, "answer": decision.answer, "outcome": outcome}


def _decision_for(rt: Runtime, message: InboundMessage) -> Decision:
    if message.answer:  # decided before an error stopped the last attempt: keep it
        return Decision.from_json(message.answer)
    reply = understand(message.body, opted_out=rt.optouts.is_opted_out(message.sender))
    rt.redis.hincrby(keys.INTENT_COUNTS, reply.intent.value, 1)
    sent = datetime.fromtimestamp(message.received, UTC) if message.received else rt.clock.now()
    decision = _decide(rt, message.sender, reply, sent)
    rt.inbound.decide(message.sid, decision.to_json())
    return decision


def _job_pending(rt: Runtime, job_id: str) -> bool:
    """Whether RQ still holds this job to run (queued, running, or waiting to retry):
    queuing it again would overwrite it and run it twice at once."""
    status = rt.redis.hget(Job.key_for(job_id), "status")
    return as_text(status or b"") in {"queued", "started", "scheduled", "deferred"}


@traced
def reconcile_inbound() -> dict[str, Any]:
    """Replies Twilio received that the bridge never heard of (ingress or Redis down)."""
    rt = runtime.current()
    rt.redis.delete(keys.INBOUND_RECONCILE_QUEUED)
    if rt.sms is None or not rt.settings.twilio_from.startswith("+"):
        return {"checked": 0, "recovered": 0}
    recovered = 0
    checked = 0
    try:
        listed = rt.sms.client.messages.list(to=rt.settings.twilio_from, limit=200)
    except (requests.RequestException, TwilioException) as exc:
        # The scan is periodic: the next one is its retry. Raising would only leave a
        # transient Twilio error in the failed registry, which is for permanent ones.
        log.warning("inbound_reconcile_postponed", error=type(exc).__name__)
        return {"checked": 0, "recovered": 0, "postponed": type(exc).__name__}
    for message in listed:
        if str(message.direction) != "inbound":
            continue
        checked += 1
        sid = str(message.sid)
        received = message.date_created or rt.clock.now()
        new = rt.inbound.record(sid, str(message.from_), str(message.to),
                                str(message.body or ""), received)
        known = None if new else rt.inbound.get(sid)
        stuck = known is not None and known.state == "received" and \
            known.received < rt.clock.now().timestamp() - STUCK_SECONDS and \
            not _job_pending(rt, f"reply-{sid}")
        if new or stuck:  # stuck: recorded, but its job was never queued (a crash between)
            rt.writer.enqueue(JOBS["handle_reply"], [sid], f"reply-{sid}")
            recovered += 1
    rt.redis.set(keys.INBOUND_WATERMARK, int(rt.clock.now().timestamp()))
    if recovered:
        log.warning("replies_recovered", count=recovered)
    return {"checked": checked, "recovered": recovered}
