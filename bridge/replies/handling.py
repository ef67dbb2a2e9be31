"""Handling a customer's SMS reply: understand it, decide, act upstream, answer once.

- Which appointment: the most recent prompted or reminded, still upcoming, still live
  appointment of that number (`bridge.store.conversations`); with several open ones the
  bridge asks which (numbered choices, at most three) instead of guessing.
- The rules are the pure decision (`bridge.domain.reply_decision`); this module gathers
  its inputs (the question asked, the appointments' states upstream) and follows it:
  opt-outs recorded per number and honoured by every later SMS, the question stored,
  the confirm or cancel made upstream (`bridge.replies.upstream`), the answer sent.
- Twilio answers STOP, START, HELP and INFO itself, and blocks messages to an
  opted-out number: for those the bridge is silent.

What was decided is stored with the inbound message before the answer goes out, so a
retry after an upstream error answers once, with the first decision. A confirm or
cancel is stored before it is made upstream (`acting`): a worker killed after the
booking API cancelled, before the answer was decided, would leave a retry that finds the
appointment no longer open and answers "no appointment" (seen in the soak). The retry
makes the stored one again instead, and an appointment already in the state it asked
for gets the answer it called for.

After Redis forgot (`bridge.sending.recovery`), a reply dated before the loss may have
been answered and acted on already: its record, its answer's claim and the phone's
appointments were in the lost memory, and the inbound reconciliation (or a job that
ran on) finds it again. Before anything is decided, such a reply is looked up once:
when Twilio shows an SMS the bridge sent its sender shortly after it
(`Recovery.answered_before_loss`), it is set aside (`ignored:memory lost; may have been
answered`), with no answer and no confirm or cancel. A reply received since costs one
GET of the epoch; with no epoch written yet the job is held back (`SendHeldBack`), as
it is while Twilio's log cannot be read: a reply is never answered blind.

A job for an erased person's reply (its MessageSid or its sender has a tombstone,
`bridge.store.tombstones`: queued before the erasure, or retried after it) does nothing
but drop whatever is recorded under that MessageSid: nothing decided, acted on or sent.
One erased while it runs finds the tombstone when it checks again at its end, and
sweeps what it wrote (`bridge.store.erasure`).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog

from bridge.booking import BookingNotFoundError, Label
from bridge.domain.intents import Intent, Reply, understand
from bridge.domain.reply_decision import (
    ABOUT_OPEN_APPOINTMENTS,
    AppointmentState,
    Question,
    ReplyAction,
    ReplyDecision,
    Step,
    decide_reply,
)
from bridge.replies.answer import Answer, plain_answer
from bridge.replies.answer_context import context_of, language_of
from bridge.replies.services import ReplyServices
from bridge.replies.upstream import cancel, confirm
from bridge.sending.answer_texts import answer_matcher
from bridge.sending.answers import send_answer
from bridge.sending.recovery import REPLY_MEMORY_LOST
from bridge.store.conversations import PendingChoice
from bridge.store.erasure import Erasure
from bridge.store.inbound import InboundMessage
from bridge.store.tombstones import phone, sid

__all__ = ["handle"]

#: A reply that ends the wait for a code: it confirmed or cancelled, or found nothing
#: left to confirm.
_SETTLES_CODE = frozenset({Step.CONFIRM, Step.CANCEL, Step.ALREADY_CONFIRMED,
                           Step.NO_APPOINTMENT})

log = structlog.get_logger(__name__)


def handle(sv: ReplyServices, message_sid: str) -> dict[str, Any]:
    """Handle the recorded inbound message `message_sid`, once."""
    message = sv.inbound.get(message_sid)
    if sv.tombstones.holds(sid(message_sid), phone(message.sender if message else "")):
        sv.inbound.forget(message_sid)
        return {"message": message_sid, "status": "erased"}
    if message is None or message.state != "received":
        return {"message": message_sid, "status": "nothing to do"}
    if not message.answer and _answered_before_loss(sv, message):
        sv.inbound.finish(message_sid, f"ignored:{REPLY_MEMORY_LOST}")
        sv.sending.recovery.epochs.count("reply_skipped")
        return {"message": message_sid, "status": "skipped", "reason": REPLY_MEMORY_LOST}
    answer = _answer_for(sv, message)
    outcome = "no answer"
    if answer.kind:
        outcome = send_answer(sv.sending, message_sid, message.sender, answer.kind,
                              language_of(sv, answer), context_of(sv, answer),
                              answer.appointment_id)
    sv.inbound.finish(message_sid, "handled")
    if _erased_meanwhile(sv, message):
        return {"message": message_sid, "status": "erased"}
    log.info("reply_handled", answer=answer.kind or "none", outcome=outcome)
    return {"message": message_sid, "answer": answer.kind, "outcome": outcome}


def _answered_before_loss(sv: ReplyServices, message: InboundMessage) -> bool:
    """Whether a reply dated before a loss of Redis's memory was answered before it
    (module). One GET of the epoch; Twilio is asked only about a reply before the loss."""
    recovery = sv.sending.recovery
    epoch = recovery.epoch()  # no epoch yet: held back (a retry), never answered blind
    received = datetime.fromtimestamp(message.received, UTC)
    return recovery.answered_before_loss(epoch, message.sender, received,
                                         answer_matcher(sv.sending.renderer))


def _opted_out(sv: ReplyServices, message: InboundMessage) -> bool:
    """Whether the sender had opted out when the reply came. After a loss of Redis's
    memory the opt-outs are gone with it: a reply from before the loss that means
    another thing from an opted-out number (YES: an opt-in there, else a confirmation)
    asks Twilio what the number texted before it (`Recovery.opted_out_between`). Seen
    in the full soak: STOP, then YES (an opt-in), the loss; the inbound scan found the
    YES again, took it for a confirmation, and answered "no appointment"."""
    if sv.optouts.is_opted_out(message.sender):
        return True
    if understand(message.body, opted_out=True) == understand(message.body):
        return False
    recovery = sv.sending.recovery
    epoch = recovery.epoch()
    received = datetime.fromtimestamp(message.received, UTC)
    if epoch.lost_at is None or received >= epoch.lost_at:
        return False
    just_before = received - timedelta(seconds=1)  # Twilio's stamps are whole seconds
    return recovery.opted_out_between(message.sender, just_before, just_before)


def _erased_meanwhile(sv: ReplyServices, message: InboundMessage) -> bool:
    """Checked again after the last write: a sender erased while this ran is swept
    again (the answer, the conversation, this very record)."""
    erasure = Erasure(sv.tombstones.redis, sv.tombstones)
    return erasure.sweep_if_erased(numbers=[message.sender], sids=[message.sid])


def _answer_for(sv: ReplyServices, message: InboundMessage) -> Answer:
    if message.answer:  # decided before an error stopped the last attempt: keep it
        return Answer.from_json(message.answer)
    if message.acting:  # a confirm or cancel begun by an attempt that stopped
        answer = _act_again(sv, message.sender, message.acting)
    else:
        reply = understand(message.body, opted_out=_opted_out(sv, message))
        sv.counters.reply_intent(reply.intent.value)
        sent = datetime.fromtimestamp(message.received, UTC) if message.received \
            else sv.clock.now()
        answer = _follow(sv, message, reply, sent)
    sv.inbound.decide(message.sid, answer.to_json())
    return answer


def _follow(sv: ReplyServices, message: InboundMessage, reply: Reply,
            sent: datetime) -> Answer:
    """Decide, then do what was decided. `sent`: when the reply was received, which
    orders opt-outs and opt-ins."""
    phone = message.sender
    question = _take_question(sv, phone) if reply.intent is Intent.CHOICE else None
    candidates = _candidates(sv, phone, reply, question)
    decision = decide_reply(reply, question=question, candidates=candidates,
                            now=sv.clock.now())
    for ident in decision.closed:
        sv.conversations.forget(phone, ident)
    if decision.step is Step.NEED_CODE:  # shown as the number's pending question
        sv.conversations.ask_code(phone, decision.appointment_id)
    elif decision.step in _SETTLES_CODE:
        sv.conversations.code_given(phone)
    elif decision.step is Step.HELP:  # free text: answered with help, read at the desk
        sv.inbox.add(message.sid, sent, sv.conversations.asked_about(phone))
    if decision.step in (Step.CANCEL, Step.CONFIRM):
        sv.inbound.act(message.sid, json.dumps({
            "step": decision.step.value, "appointment": decision.appointment_id,
            "code": decision.code}))
    return _carry_out(sv, phone, reply, sent, decision, candidates)


def _act_again(sv: ReplyServices, phone: str, acting: str) -> Answer:
    """The stored confirm or cancel, made again: it may have been made already."""
    stored = json.loads(acting)
    ident = int(stored["appointment"])
    state = _state(sv, phone, ident)
    if state is None:
        return Answer("reply_no_appointment", ident)
    if stored["step"] == Step.CANCEL.value:
        if state.label is Label.CANCELLED:
            sv.conversations.forget(phone, ident)
            return Answer("reply_cancelled", ident)
        return cancel(sv, phone, state)
    if state.label is Label.APPROVED:
        return Answer("reply_confirmed", ident)
    return confirm(sv, phone, state, str(stored["code"]))


def _carry_out(sv: ReplyServices, phone: str, reply: Reply, sent: datetime,
               decision: ReplyDecision, candidates: list[AppointmentState]) -> Answer:
    step = decision.step
    if step is Step.OPT_OUT:
        sv.optouts.opt_out(phone, reply.keyword, sent)
    elif step is Step.OPT_IN:
        sv.optouts.opt_in(phone, sent)
    elif step is Step.ASK_WHICH:
        assert decision.action is not None  # a question always says what it is for
        action = decision.action.value
        sv.conversations.ask(phone, PendingChoice(action, decision.choices, decision.code))
        return Answer("reply_choose", choices=decision.choices, action=action)
    elif step is Step.CANCEL:
        return cancel(sv, phone, _acted_on(decision, candidates))
    elif step is Step.CONFIRM:
        assert decision.code is not None  # a confirmation always has its code
        return confirm(sv, phone, _acted_on(decision, candidates), decision.code)
    return plain_answer(step, decision.appointment_id) or Answer("")


def _acted_on(decision: ReplyDecision, candidates: list[AppointmentState]) -> AppointmentState:
    return next(c for c in candidates if c.appointment_id == decision.appointment_id)


def _take_question(sv: ReplyServices, phone: str) -> Question | None:
    """The pending "which appointment?", taken: a choice answers it once."""
    pending = sv.conversations.take_question(phone)
    if pending is None:
        return None
    return Question(ReplyAction(pending.action), pending.appointment_ids, pending.code)


def _candidates(sv: ReplyServices, phone: str, reply: Reply,
                question: Question | None) -> list[AppointmentState]:
    """The states of the appointments the reply can be about, as upstream has them."""
    if reply.intent is Intent.CHOICE:
        chosen = question.chosen(reply.choice) if question is not None else None
        idents = [] if chosen is None else [chosen]
    elif reply.intent in ABOUT_OPEN_APPOINTMENTS:
        idents = sv.conversations.asked_about(phone)
    else:
        idents = []
    states = (_state(sv, phone, ident) for ident in idents)
    return [state for state in states if state is not None]


def _state(sv: ReplyServices, phone: str, appointment_id: int) -> AppointmentState | None:
    try:
        appointment = sv.booking.get_appointment(appointment_id)
    except BookingNotFoundError:  # gone upstream: nothing more to ask about
        sv.conversations.forget(phone, appointment_id)
        return None
    return AppointmentState(appointment.id, appointment.label, appointment.start,
                            sv.confirmation_codes.get(appointment.id))
