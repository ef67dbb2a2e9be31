"""What to do about a customer's SMS reply: one pure function, no I/O.

`bridge.replies` gathers what the decision needs (the understood reply, the question
the bridge last asked the number, the states of the appointments it was asked about),
then follows it: records opt-outs, calls the booking API, sends the answer. So the
rules live here and can be tested without Redis or the API:

- STOP and the other opt-out words opt the number out; START (and YES from an
  opted-out number, `understand` tells) opts it in. Twilio answers these words and
  HELP/INFO itself, so none of them gets an answer from the bridge.
- A confirm word, a code or a cancel word is about the number's open appointments
  (still upcoming, not cancelled or finished): none, "no appointment"; one, act on
  it; several, ask which (numbered choices, at most `MAX_CHOICES`, soonest first).
- A choice number answers that question: act on the chosen one, if still open.
- Confirming: only a PENDING appointment, with the code from the reply, the question
  or an upstream notice; an APPROVED one is "already confirmed"; no code, ask for it.
- Anything else gets the help text.

Whether an upstream call then succeeds (a wrong code, too late to cancel) is for the
caller to learn; the decision only says which call to make.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from bridge.domain.intents import Intent, Reply
from bridge.domain.status import Label

__all__ = [
    "ABOUT_OPEN_APPOINTMENTS", "MAX_CHOICES", "AppointmentState", "Question", "ReplyAction",
    "ReplyDecision", "Step", "decide_reply",
]

#: At most this many appointments are offered when a reply could mean several.
MAX_CHOICES = 3

#: Replies about the number's open appointments: the decision needs every one's state.
ABOUT_OPEN_APPOINTMENTS = frozenset({Intent.CONFIRM, Intent.CODE, Intent.CANCEL})

_CLOSED = frozenset({Label.CANCELLED, Label.FINISHED})


class ReplyAction(Enum):
    """What a reply asks for an appointment."""

    CONFIRM = "confirm"
    CANCEL = "cancel"


@dataclass(frozen=True, slots=True)
class AppointmentState:
    """An appointment the number was asked about, as the booking API has it now."""

    appointment_id: int
    label: Label
    start: datetime
    notice_code: str | None = None
    """A confirmation code an upstream notice supplied for it, if any."""

    def is_open(self, now: datetime) -> bool:
        """Still something to confirm or cancel: upcoming, neither cancelled nor finished."""
        return self.start > now and self.label not in _CLOSED


@dataclass(frozen=True, slots=True)
class Question:
    """The bridge's last "which appointment?" to this number, and what it was about."""

    action: ReplyAction
    appointment_ids: tuple[int, ...]
    code: str | None = None

    def chosen(self, choice: int | None) -> int | None:
        """The appointment a choice (1-based) picks, or None for no such choice."""
        if not choice or not 1 <= choice <= len(self.appointment_ids):
            return None
        return self.appointment_ids[choice - 1]


class Step(Enum):
    """What the bridge does about a reply."""

    NO_ANSWER = "no_answer"  # HELP/INFO: Twilio answers them itself
    OPT_OUT = "opt_out"  # record it; Twilio answers
    OPT_IN = "opt_in"  # record it; Twilio answers
    HELP = "help"  # answer with the help text, change nothing
    ASK_WHICH = "ask_which"  # several open appointments: ask which one
    CONFIRM = "confirm"  # confirm `appointment_id` upstream with `code`
    CANCEL = "cancel"  # cancel `appointment_id` upstream, if still allowed
    ALREADY_CONFIRMED = "already_confirmed"
    NO_APPOINTMENT = "no_appointment"
    NEED_CODE = "need_code"  # confirming needs a code nobody has given


@dataclass(frozen=True, slots=True)
class ReplyDecision:
    step: Step
    appointment_id: int = 0
    """The appointment acted on or answered about; 0 for none."""
    code: str | None = None
    """CONFIRM: the code to confirm with; ASK_WHICH: the code to keep for the choice."""
    action: ReplyAction | None = None
    """ASK_WHICH: what the chosen appointment will get."""
    choices: tuple[int, ...] = ()
    """ASK_WHICH: the appointments offered, soonest first (choice 1 is the first)."""
    closed: tuple[int, ...] = ()
    """Appointments asked about that are over or closed: the conversation forgets them."""


def decide_reply(
    reply: Reply,
    *,
    question: Question | None,
    candidates: Sequence[AppointmentState],
    now: datetime,
) -> ReplyDecision:
    """What to do about `reply`.

    `question`: the pending "which appointment?" (only a CHOICE reads it).
    `candidates`: the states of the appointments the reply can be about, as found
    upstream (one not found is simply absent): for a CHOICE, the chosen one; else
    every appointment the number was asked about.
    """
    if reply.intent is Intent.OPT_OUT:
        return ReplyDecision(Step.OPT_OUT)
    if reply.intent is Intent.OPT_IN:
        return ReplyDecision(Step.OPT_IN)
    if reply.intent is Intent.HELP:
        return ReplyDecision(Step.NO_ANSWER)
    if reply.intent in {Intent.CONFIRM, Intent.CODE}:
        return _about_open(ReplyAction.CONFIRM, reply.code, candidates, now)
    if reply.intent is Intent.CANCEL:
        return _about_open(ReplyAction.CANCEL, None, candidates, now)
    if reply.intent is Intent.CHOICE:
        return _chosen(reply.choice, question, candidates, now)
    return ReplyDecision(Step.HELP)


def _about_open(action: ReplyAction, code: str | None,
                candidates: Sequence[AppointmentState], now: datetime) -> ReplyDecision:
    live = sorted((c for c in candidates if c.is_open(now)),
                  key=lambda c: (c.start, c.appointment_id))
    closed = tuple(sorted(c.appointment_id for c in candidates if not c.is_open(now)))
    if not live:
        return ReplyDecision(Step.NO_APPOINTMENT, closed=closed)
    if len(live) == 1:
        return _act(action, live[0], code, closed)
    shown = tuple(c.appointment_id for c in live[:MAX_CHOICES])
    return ReplyDecision(Step.ASK_WHICH, code=code, action=action, choices=shown,
                         closed=closed)


def _chosen(choice: int | None, question: Question | None,
            candidates: Sequence[AppointmentState], now: datetime) -> ReplyDecision:
    chosen = question.chosen(choice) if question is not None else None
    if question is None or chosen is None:
        return ReplyDecision(Step.HELP)
    state = next((c for c in candidates if c.appointment_id == chosen), None)
    if state is None:  # gone upstream
        return ReplyDecision(Step.NO_APPOINTMENT)
    if not state.is_open(now):
        return ReplyDecision(Step.NO_APPOINTMENT, closed=(chosen,))
    return _act(question.action, state, question.code, ())


def _act(action: ReplyAction, state: AppointmentState, code: str | None,
         closed: tuple[int, ...]) -> ReplyDecision:
    ident = state.appointment_id
    if action is ReplyAction.CANCEL:
        return ReplyDecision(Step.CANCEL, ident, closed=closed)
    if state.label is Label.APPROVED:
        return ReplyDecision(Step.ALREADY_CONFIRMED, ident, closed=closed)
    if state.label is not Label.PENDING:
        return ReplyDecision(Step.NO_APPOINTMENT, ident, closed=closed)
    code = code or state.notice_code
    if not code:
        return ReplyDecision(Step.NEED_CODE, ident, closed=closed)
    return ReplyDecision(Step.CONFIRM, ident, code=code, closed=closed)
