"""The oracle's rules for customers' replies (#5) and opt-outs (#4).

Every reply except STOP/START/HELP (Twilio answers those) gets exactly one answer, the
one #5 gives for the appointment's state at the time (or, when an amnesia took the
conversation before anything could open it again, "no appointment": `_forgotten`,
counted apart); a NEE in time cancels; no SMS
goes to a number from when the bridge could know it sent STOP. An answer's effect
(confirm, cancel) is added to the appointment's history, so the planned-message rules
that run after these see it.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable

from bench.soaklib import world
from bench.soaklib.evidence import Received, Sent
from bench.soaklib.journal import (
    APPROVED,
    CANCELLED,
    PENDING,
    Appointment,
    Journal,
    Reply,
    State,
)
from bench.soaklib.kinds import message_kind
from bench.soaklib.verdict import Rules, Skip, Verdict

_ANSWER_FOR = {
    ("code", PENDING): {"confirmed"}, ("code", APPROVED): {"already_confirmed"},
    ("wrong_code", PENDING): {"wrong_code"},
    ("wrong_code", APPROVED): {"wrong_code", "already_confirmed"},
    ("ja", PENDING): {"need_code", "confirmed"}, ("ja", APPROVED): {"already_confirmed"},
    ("text", PENDING): {"help"}, ("text", APPROVED): {"help"},
}


#: The bridge's bound for an SMS after a reply to count as its answer after a loss
#: (`bridge.sending.recovery.ANSWER_BOUND`, 10 minutes).
ANSWER_BOUND = 600.0


class ReplyRules:
    """Judges the answers to replies and the opt-outs into one `Verdict`."""

    def __init__(self, journal: Journal, rules: Rules, verdict: Verdict) -> None:
        self.journal = journal
        self.rules = rules
        self.verdict = verdict
        self.first_invite: dict[str, float] = {}
        self.invites: dict[str, list[float]] = defaultdict(list)
        """phone -> when each prompt or reminder SMS to it went out."""
        self.forgotten: list[Reply] = []
        """Replies answered "no appointment" because an amnesia took their conversation."""
        self.reopened: dict[int, list[float]] = defaultdict(list)
        """appointment -> when the bridge skipped its prompt as already confirmed (after
        an amnesia it then reopens the conversation the prompt had opened)."""

    def check_inbound_kept(self, received: list[Received]) -> None:
        kept: dict[tuple[str, str], int] = defaultdict(int)
        for r in received:
            kept[(r.phone, r.body)] += 1
        for reply in self.journal.replies:
            if kept[(reply.phone, reply.body)] <= 0:
                self.verdict.problem(f"reply {reply.kind} from a customer never reached "
                                     "the Twilio API")
            kept[(reply.phone, reply.body)] -= 1

    def judge_replies(self, answers: dict[str, list[Sent]], sent: list[Sent],
                      updated: dict[int, float], skips: Iterable[Skip] = ()) -> None:
        tally = self.verdict.answers
        self._index_sms(sent)
        self.reopened.clear()
        self.forgotten.clear()
        for skip in skips:
            if skip.kind == "confirm_request" and skip.reason == "already_confirmed":
                self.reopened[skip.appointment_id].append(skip.at)
        answerable: dict[str, list[Reply]] = defaultdict(list)
        for reply in self.journal.replies:
            if reply.kind not in {"stop", "start", "help"}:  # Twilio answers those
                answerable[reply.phone].append(reply)
        for phone in set(answerable) | set(answers):
            replies, got = list(answerable.get(phone, [])), sorted(answers.get(phone, []),
                                                                   key=lambda s: s.at)
            tally.expected += len(replies)
            tally.sent += len(got)
            aside = [r for r in replies if self._set_aside(r, [a.at for a in got])]
            for reply in aside[: max(0, len(replies) - len(got))]:
                replies.remove(reply)
                self.verdict.set_aside_after_loss += 1
            if len(got) > len(replies):
                tally.duplicate += len(got) - len(replies)
                self.verdict.problem(f"{len(got)} answers to {len(replies)} replies: "
                                     + ", ".join(s.reading.kind for s in got))
            if len(got) < len(replies):
                tally.missing += len(replies) - len(got)
                self.verdict.problem(
                    f"reply {replies[-1].kind!r} got no answer (number ...{phone[-4:]}: "
                    f"replies {_moments(replies)}, answers {_moments(got)}; appointment "
                    f"{replies[-1].appointment_id})")
            for reply, answer in zip(replies, got, strict=False):
                self._judge_answer(reply, answer, updated)

    def _judge_answer(self, reply: Reply, answer: Sent, updated: dict[int, float]) -> None:
        appointment = self.journal.appointments.get(reply.appointment_id or 0)
        assert appointment is not None and reply.status is not None
        if reply.kind == "nee":
            quick = appointment.type_id == world.QUICK_TYPE
            allowed = {"reply_cancelled"} if quick else {"too_late"}
        else:
            allowed = set(_ANSWER_FOR[(reply.kind, reply.status)])
        # #5: a reply refers to an appointment the customer was prompted or reminded of
        # by SMS. The bridge handled it somewhere between its sending and the answer:
        # an invitation in that span may or may not have counted yet.
        invited = self.first_invite.get(reply.phone, math.inf)
        if invited > answer.at and reply.kind != "text":  # "anything else": help, always
            allowed = {"no_appointment"}
            # The bridge opens a conversation just before Twilio is called (a reply to an
            # SMS accepted by a worker killed at once must find it); a worker killed
            # between the two leaves it open with no SMS sent (the full soak kills one
            # every 7 s). A JA or code for a confirmed appointment may then be answered
            # "already confirmed": true, and nothing changes upstream. A NEE is not
            # let off: it would cancel.
            if reply.kind in {"ja", "code"} and reply.status == APPROVED:
                allowed.add("already_confirmed")
        elif invited > reply.at - self.rules.tolerance:
            allowed.add("no_appointment")
        if answer.reading.kind == "no_appointment" and answer.reading.kind not in allowed \
                and answer.at >= reply.at - self.rules.tolerance \
                and self._forgotten(reply, answer):
            self.verdict.forgotten_conversations += 1
            self.forgotten.append(reply)
            return
        if answer.reading.kind not in allowed or answer.at < reply.at - self.rules.tolerance:
            self.verdict.answers.wrong += 1
            self.verdict.problem(f"reply {reply.kind!r} ({reply.status}) answered "
                                 f"{answer.reading.kind!r}, expected one of {sorted(allowed)} "
                                 f"(appointment {reply.appointment_id}, answer "
                                 f"{answer.at - reply.at:+.1f}s after the reply: "
                                 f"{appointment.story(reply.at)})")
            return
        self.verdict.latency["reply -> answer accepted"].append(answer.at - reply.at)
        effect = {"reply_cancelled": ("sms-cancel", CANCELLED),
                  "confirmed": ("sms-confirm", APPROVED)}.get(answer.reading.kind)
        if effect is not None and (effect[1] != APPROVED or appointment.state.status == PENDING):
            # Upstream it changed at its UpdateTime (whole seconds), before the answer.
            upstream = min(updated.get(appointment.id, answer.at) + 1, answer.at)
            appointment.history.append(State(reply.at, upstream, effect[0], effect[1],
                                             appointment.state.start))

    def _index_sms(self, sent: list[Sent]) -> None:
        """Each phone's invitations (a prompt or reminder SMS: `first_invite`, `invites`)."""
        self.first_invite.clear()  # phone -> when its first prompt or reminder SMS went out
        self.invites.clear()
        for message in sent:
            if message.channel == "sms" and message_kind(message) in {"prompt", "reminder",
                                                                      "moved_prompt"}:
                first = self.first_invite.get(message.to, math.inf)
                self.first_invite[message.to] = min(first, message.at)
                self.invites[message.to].append(message.at)

    def _set_aside(self, reply: Reply, sms_at: list[float]) -> bool:
        """Whether the bridge's rule after an amnesia (#16) sets `reply` aside as maybe
        answered: received before the bridge found the loss, with an answer (to another
        reply from the number) after it, within `ANSWER_BOUND` and before the loss was
        found."""
        for _began, found in self.rules.amnesia:
            if reply.at >= found:
                continue
            if any(reply.at - self.rules.tolerance <= at <= min(found, reply.at + ANSWER_BOUND)
                   for at in sms_at):
                return True
        return False

    def _forgotten(self, reply: Reply, answer: Sent) -> bool:
        """Whether `reply` was handled without its conversation because an amnesia took
        it (#16): the conversation began before the amnesia (an invitation SMS to the
        number went out before it), the reply was answered after it, and nothing could
        have opened the conversation again before the reply was handled: no invitation
        SMS to the number since the amnesia and no prompt of the appointment skipped as
        already confirmed (which reopens it) up to `grace` before the answer. The answer
        "no appointment" (call us) changes nothing upstream; the final states are still
        checked. Anything else (an answer given twice, a wrong confirm or cancel, a
        reply after a new invitation) is judged as before."""
        before, grace = answer.at - self.rules.grace, self.rules.grace
        for began, _back in self.rules.amnesia:
            # The conversation is written before Twilio is called: an invitation Twilio
            # took just after Redis died may have opened it before (the full soak).
            opened_by = began + grace
            if not (self.first_invite.get(reply.phone, math.inf) < opened_by
                    and began < answer.at):
                continue
            again = [at for at in self.invites.get(reply.phone, [])
                     if opened_by <= at <= before]
            again += [at for at in self.reopened.get(reply.appointment_id or 0, [])
                      if opened_by <= at <= before]
            if not again:
                return True
        return False

    def upstream_latency(self, updated: dict[int, float]) -> None:
        """From a customer's reply to the confirm or cancel upstream. UpdateTime has whole
        seconds, so the middle of its second is taken: honest to half a second."""
        for appointment in self.journal.appointments.values():
            for state in appointment.history:
                if state.action in {"sms-cancel", "sms-confirm"} and appointment.id in updated:
                    self.verdict.latency["reply -> upstream confirm/cancel"].append(
                        updated[appointment.id] + 0.5 - state.began)

    def _heard(self, reply: Reply) -> float:
        """When the bridge can know of a reply: at once, or, sent while the ingress was
        down or its Redis away (the ingress answers Twilio 503), once it is back and the
        inbound reconciliation has run (#5)."""
        for down, back in self.journal.redis_down:
            if down <= reply.at <= back:
                return back + self.rules.inbound_reconcile
        if not reply.ingress_down:
            return reply.at
        back = min((up for down, up in self.journal.ingress_down if up >= reply.at),
                   default=reply.at)
        return back + self.rules.inbound_reconcile

    def cancelled_by_customers(self, final_status: dict[int, str],
                               updated: dict[int, float]) -> None:
        """A NEE in time cancels even when its answer went missing (counted above). And
        a reply answered "no appointment" after an amnesia took its conversation may have
        confirmed before it: handled (the code was right), its answer held up (a 429),
        the retry lost with the memory, and the reply found again without its
        conversation (seen in the full soak). The booking system's final word tells."""
        for reply in self.forgotten:
            appointment = self.journal.appointments.get(reply.appointment_id or 0)
            if reply.kind in {"code", "ja"} and appointment is not None \
                    and appointment.state.status == PENDING \
                    and final_status.get(appointment.id) == APPROVED \
                    and any(reply.at < began for began, _ in self.rules.amnesia):
                _acted(appointment, reply, updated, "sms-confirm", APPROVED)
        for reply in self.journal.replies:
            appointment = self.journal.appointments.get(reply.appointment_id or 0)
            if reply.kind != "nee" or appointment is None \
                    or appointment.type_id != world.QUICK_TYPE:
                continue
            if final_status.get(appointment.id) == CANCELLED \
                    and appointment.state.status != CANCELLED:
                _acted(appointment, reply, updated, "sms-cancel", CANCELLED)

    def check_opt_outs(self, sent: list[Sent]) -> None:
        windows: dict[str, list[tuple[float, float]]] = defaultdict(list)
        stops: dict[str, float] = {}
        for reply in sorted(self.journal.replies, key=lambda r: r.at):
            if reply.kind == "stop":
                stops.setdefault(reply.phone, self._heard(reply))
            elif reply.kind == "start" and reply.phone in stops:
                windows[reply.phone].append((stops.pop(reply.phone), reply.at))
        for phone, since in stops.items():
            windows[phone].append((since, math.inf))
        for message in sent:
            if message.channel != "sms":
                continue
            for since, until in windows.get(message.to, []):
                if since + self.rules.grace < message.at < until:
                    self.verdict.messages.wrong += 1
                    self.verdict.problem(f"SMS {message.reading.kind} to an opted-out number "
                                         f"{message.at - since:.1f} s after STOP")
                elif since < message.at < until:
                    self.verdict.messages.races += 1


def _acted(appointment: Appointment, reply: Reply, updated: dict[int, float], action: str,
           status: str) -> None:
    """The reply's confirm or cancel, added to the appointment's history: it took effect
    upstream at its UpdateTime (whole seconds), after the reply."""
    upstream = updated.get(appointment.id, reply.at) + 1
    appointment.history.append(State(reply.at, upstream, action, status,
                                     appointment.state.start))


def _moments(events: Iterable[Reply | Sent]) -> str:
    """When each happened, in epoch seconds (the workers' logs' `timestamp`), with what
    it was: enough to find them in the logs."""
    return "[" + ", ".join(f"{e.at:.1f} {e.kind if isinstance(e, Reply) else e.reading.kind}"
                           for e in events) + "]"
