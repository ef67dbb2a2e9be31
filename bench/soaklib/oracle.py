"""The rules of issues #3-#5, applied from the outside to what the soak did and saw.

This module does not import the bridge's planner or reply handling: it reads the
issues' rules over the journal (every change and reply the soak made), the messages the
sandbox's Twilio API accepted and its mail sink received, and the bridge's record of
messages it skipped (a rule allows "recorded as skipped with a reason").

Two allowances keep the verdicts exact rather than lucky, and the table prints both:

- `allowance`: how long a state must last for the bridge to be *required* to act on
  it (it learns of a change by webhook or by the next poll, and a killed ticker's lease
  takes seconds to pass on). A message for a shorter-lived state is allowed, not
  required.
- `grace`: a message the provider accepted at most this long after the change that made
  it wrong is a *race*, not a fault: the send job re-reads the appointment just before
  the provider call, and a change can land between the two. Races are counted apart.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise

from bench.soaklib import texts, world
from bench.soaklib.evidence import Received, Sent
from bench.soaklib.journal import (
    APPROVED,
    CANCELLED,
    LIVE,
    PENDING,
    REMOVED,
    Appointment,
    Journal,
    Reply,
    State,
)
from bench.soaklib.world import AMSTERDAM

#: Why a message may be skipped instead of sent (#3-#5: opt-out, invalid number, over).
ALLOWED_SKIPS = frozenset({
    "appointment_removed", "appointment_started", "appointment_cancelled",
    "appointment_moved", "already_confirmed", "booked_after_reminder_time", "opted_out",
    "invalid_number", "no_contact", "asked_in_rescheduled_notice",
})
_ANSWER_FOR = {
    ("code", PENDING): {"confirmed"}, ("code", APPROVED): {"already_confirmed"},
    ("wrong_code", PENDING): {"wrong_code"},
    ("wrong_code", APPROVED): {"wrong_code", "already_confirmed"},
    ("ja", PENDING): {"need_code", "confirmed"}, ("ja", APPROVED): {"already_confirmed"},
    ("text", PENDING): {"help"}, ("text", APPROVED): {"help"},
}


@dataclass(frozen=True)
class Rules:
    offsets: dict[str, float]
    """Reminder offsets by label, in seconds ("90s" -> 90)."""
    allowance: float
    grace: float
    checked_at: float
    inbound_reconcile: float = 5.0
    tolerance: float = 1.5
    """Second-grain stamps and one shared clock: how early "not before" may be."""


@dataclass(frozen=True)
class Skip:
    appointment_id: int
    kind: str
    variant: str
    start: float
    reason: str
    at: float


@dataclass
class Tally:
    expected: int = 0
    sent: int = 0
    duplicate: int = 0
    missing: int = 0
    wrong: int = 0
    races: int = 0


@dataclass
class Verdict:
    messages: Tally = field(default_factory=Tally)
    answers: Tally = field(default_factory=Tally)
    problems: list[str] = field(default_factory=list)
    latency: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    skipped: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    required_skipped: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    """Required messages the bridge skipped for a reason the rules allow (it was late)."""

    def problem(self, text: str) -> None:
        self.problems.append(text)

    @property
    def clean(self) -> bool:
        m, a = self.messages, self.answers
        return not (m.duplicate or m.missing or m.wrong or a.duplicate or a.missing or a.wrong
                    or self.problems)


_KIND_OF = {"prompt": "confirm_request", "reminder": "reminder", "rescheduled": "rescheduled",
            "moved_prompt": "rescheduled", "cancelled": "cancelled"}
#: #13: a move of a PENDING appointment gets one text that tells the new time and asks
#: to confirm ("moved_prompt"), in place of a move notice and a prompt for the new start.
_ASKS = re.compile(r"bevestig|confirm", re.IGNORECASE)


def _kind(message: Sent) -> str:
    kind = message.reading.kind
    return "moved_prompt" if kind == "rescheduled" and _ASKS.search(message.text) else kind


class Oracle:
    def __init__(self, journal: Journal, people: list[world.Customer], rules: Rules) -> None:
        self.journal = journal
        self.rules = rules
        self.verdict = Verdict()
        self.by_phone = {c.mobile: c.id for c in people if c.mobile}
        self.phone_of = {c.id: c.mobile for c in people if c.mobile}
        self.first_invite: dict[str, float] = {}
        self.by_email = {c.email: c.id for c in people}
        self.appointment_of = {a.customer_id: a for a in journal.appointments.values()}

    # --- entry point ----------------------------------------------------------------

    def judge(self, sent: list[Sent], received: list[Received], skips: list[Skip],
              final_status: dict[int, str], updated: dict[int, float]) -> Verdict:
        planned, answers = self._sort(sent)
        self._check_inbound_kept(received)
        self._judge_replies(answers, sent, updated)
        self._cancelled_by_customers(final_status, updated)
        self._upstream_latency(updated)
        self._check_opt_outs(sent)
        self._judge_planned(planned, skips)
        self._check_final_states(final_status)
        for skip in skips:
            self.verdict.skipped[f"{skip.kind}: {skip.reason}"] += 1
        return self.verdict

    def _sort(self, sent: list[Sent]) -> tuple[dict[int, list[Sent]], dict[str, list[Sent]]]:
        planned: dict[int, list[Sent]] = defaultdict(list)
        answers: dict[str, list[Sent]] = defaultdict(list)
        for message in sent:
            cid = (self.by_phone if message.channel == "sms" else self.by_email).get(message.to)
            appointment = self.appointment_of.get(cid) if cid else None
            kind = message.reading.kind
            if kind in texts.ANSWERS and message.channel == "sms":
                answers[message.to].append(message)
            elif kind in texts.PLANNED and appointment is not None:
                planned[appointment.id].append(message)
            else:
                self.verdict.messages.wrong += 1
                self.verdict.problem(f"unreadable or unaddressed {message.channel} "
                                     f"({kind}) {message.provider_id}: {message.text[:80]!r}")
        return planned, answers

    # --- replies --------------------------------------------------------------------

    def _check_inbound_kept(self, received: list[Received]) -> None:
        kept: dict[tuple[str, str], int] = defaultdict(int)
        for r in received:
            kept[(r.phone, r.body)] += 1
        for reply in self.journal.replies:
            if kept[(reply.phone, reply.body)] <= 0:
                self.verdict.problem(f"reply {reply.kind} from a customer never reached "
                                     "the Twilio API")
            kept[(reply.phone, reply.body)] -= 1

    def _judge_replies(self, answers: dict[str, list[Sent]], sent: list[Sent],
                       updated: dict[int, float]) -> None:
        tally = self.verdict.answers
        self.first_invite.clear()  # phone -> when its first prompt or reminder SMS went out
        for message in sent:
            if message.channel == "sms" and _kind(message) in {"prompt", "reminder",
                                                               "moved_prompt"}:
                first = self.first_invite.get(message.to, math.inf)
                self.first_invite[message.to] = min(first, message.at)
        answerable: dict[str, list[Reply]] = defaultdict(list)
        for reply in self.journal.replies:
            if reply.kind not in {"stop", "start", "help"}:  # Twilio answers those
                answerable[reply.phone].append(reply)
        for phone in set(answerable) | set(answers):
            replies, got = answerable.get(phone, []), sorted(answers.get(phone, []),
                                                             key=lambda s: s.at)
            tally.expected += len(replies)
            tally.sent += len(got)
            if len(got) > len(replies):
                tally.duplicate += len(got) - len(replies)
                self.verdict.problem(f"{len(got)} answers to {len(replies)} replies: "
                                     + ", ".join(s.reading.kind for s in got))
            if len(got) < len(replies):
                tally.missing += len(replies) - len(got)
                self.verdict.problem(f"reply {replies[-1].kind!r} got no answer")
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
        elif invited > reply.at - self.rules.tolerance:
            allowed.add("no_appointment")
        if answer.reading.kind not in allowed or answer.at < reply.at - self.rules.tolerance:
            self.verdict.answers.wrong += 1
            self.verdict.problem(f"reply {reply.kind!r} ({reply.status}) answered "
                                 f"{answer.reading.kind!r}, expected one of {sorted(allowed)}")
            return
        self.verdict.latency["reply -> answer accepted"].append(answer.at - reply.at)
        effect = {"reply_cancelled": ("sms-cancel", CANCELLED),
                  "confirmed": ("sms-confirm", APPROVED)}.get(answer.reading.kind)
        if effect is not None and (effect[1] != APPROVED or appointment.state.status == PENDING):
            # Upstream it changed at its UpdateTime (whole seconds), before the answer.
            upstream = min(updated.get(appointment.id, answer.at) + 1, answer.at)
            appointment.history.append(State(reply.at, upstream, effect[0], effect[1],
                                             appointment.state.start))

    def _upstream_latency(self, updated: dict[int, float]) -> None:
        """From a customer's reply to the confirm or cancel upstream. UpdateTime has whole
        seconds, so the middle of its second is taken: honest to half a second."""
        for appointment in self.journal.appointments.values():
            for state in appointment.history:
                if state.action in {"sms-cancel", "sms-confirm"} and appointment.id in updated:
                    self.verdict.latency["reply -> upstream confirm/cancel"].append(
                        updated[appointment.id] + 0.5 - state.began)

    def _heard(self, reply: Reply) -> float:
        """When the bridge can know of a reply: at once, or, sent while the ingress was
        down, once it is back and the inbound reconciliation has run (#5)."""
        if not reply.ingress_down:
            return reply.at
        back = min((up for down, up in self.journal.ingress_down if up >= reply.at),
                   default=reply.at)
        return back + self.rules.inbound_reconcile

    def _cancelled_by_customers(self, final_status: dict[int, str],
                                updated: dict[int, float]) -> None:
        """A NEE in time cancels even when its answer went missing (counted above)."""
        for reply in self.journal.replies:
            appointment = self.journal.appointments.get(reply.appointment_id or 0)
            if reply.kind != "nee" or appointment is None \
                    or appointment.type_id != world.QUICK_TYPE:
                continue
            if final_status.get(appointment.id) == CANCELLED \
                    and appointment.state.status != CANCELLED:
                upstream = updated.get(appointment.id, reply.at) + 1  # UpdateTime: seconds
                appointment.history.append(State(reply.at, upstream, "sms-cancel", CANCELLED,
                                                 appointment.state.start))

    def _check_opt_outs(self, sent: list[Sent]) -> None:
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

    # --- planned messages -----------------------------------------------------------

    def _judge_planned(self, planned: dict[int, list[Sent]], skips: list[Skip]) -> None:
        skipped: dict[tuple[int, str, str, int], Skip] = {}
        for skip in skips:
            skipped[(skip.appointment_id, skip.kind, skip.variant, int(skip.start))] = skip
            appointment = self.journal.appointments.get(skip.appointment_id)
            if appointment is not None and not self._skip_true(appointment, skip):
                self.verdict.messages.wrong += 1
                self.verdict.problem(f"{skip.kind} {skip.variant} for {skip.appointment_id} "
                                     f"skipped as {skip.reason!r}, which the soak's record "
                                     f"does not bear out ({self._story(appointment, skip.at)})")
        for appointment in self.journal.appointments.values():
            messages = planned.get(appointment.id, [])
            groups: dict[tuple[str, datetime], list[Sent]] = defaultdict(list)
            by_time = {s.astimezone(AMSTERDAM).strftime("%H:%M"): s
                       for s in appointment.starts()}
            for message in messages:
                start = by_time.get(message.reading.time or "")
                if start is None:
                    self.verdict.messages.wrong += 1
                    self.verdict.problem(f"{message.reading.kind} for appointment "
                                         f"{appointment.id} names a start it never had")
                    continue
                groups[(_kind(message), start)].append(message)
            for (kind, start), group in groups.items():
                self._judge_group(appointment, kind, start, sorted(group, key=lambda s: s.at))
            for kind, start, variant in self._required(appointment):
                self.verdict.messages.expected += 1
                group = groups.get((kind, start), [])
                if any(kind != "reminder" or m.variant == variant for m in group):
                    continue
                key = (appointment.id, _KIND_OF[kind], variant, int(start.timestamp()))
                skip = skipped.get(key)
                if skip is not None and self._skip_true(appointment, skip):
                    self.verdict.required_skipped[skip.reason] += 1
                    continue
                self.verdict.messages.missing += 1
                why = f" (skipped: {skip.reason})" if skip else ""
                self.verdict.problem(f"missing {kind} {variant} for appointment "
                                     f"{appointment.id} at {start:%H:%M}{why}")

    def _judge_group(self, appointment: Appointment, kind: str, start: datetime,
                     group: list[Sent]) -> None:
        tally = self.verdict.messages
        tally.sent += len(group)
        copies: dict[str | None, int] = defaultdict(int)
        for message in group:
            copies[message.variant if kind == "reminder" else ""] += 1
            log_start = (message.log_id or "").split(":")
            if len(log_start) == 5 and log_start[3] != str(int(start.timestamp())):
                tally.wrong += 1
                self.verdict.problem(f"{kind} for {appointment.id}: its text names "
                                     f"{start:%H:%M}, the bridge's log another start")
        for variant, count in copies.items():
            if count > 1:
                tally.duplicate += count - 1
                self.verdict.problem(f"{count} x {kind} {variant or ''} for appointment "
                                     f"{appointment.id} at {start:%H:%M}")
        for message in group:
            offset = self.rules.offsets.get(message.variant or "")
            if kind == "reminder" and offset is None:
                tally.wrong += 1
                self.verdict.problem(f"reminder for {appointment.id} with no known offset "
                                     f"in the bridge's log ({message.log_id})")
                continue
            due = start.timestamp() - (offset or 0)
            if kind == "reminder" and message.at < due - self.rules.tolerance:
                tally.wrong += 1
                self.verdict.problem(f"reminder {message.variant} for {appointment.id} sent "
                                     f"{due - message.at:.0f} s early")
                continue
            verdict, since = self._justified(appointment, kind, start, message.at)
            if verdict == "wrong":
                tally.wrong += 1
                self.verdict.problem(f"{kind} for appointment {appointment.id} at "
                                     f"{start:%H:%M} sent when the rules did not call for it "
                                     f"({self._story(appointment, message.at)})")
            elif verdict == "race":
                tally.races += 1
            if verdict != "wrong" and since is not None and message.channel == "sms":
                name = "due -> reminder accepted" if kind == "reminder" \
                    else f"change -> {kind} accepted"
                self.verdict.latency[name].append(
                    message.at - (max(since, due) if kind == "reminder" else since))

    def _justified(self, appointment: Appointment, kind: str, start: datetime,
                   at: float) -> tuple[str, float | None]:
        """("ok" | "race" | "wrong", when the state that called for it began; a
        reminder's own due time is applied by the caller, which knows its offset)."""
        history = appointment.history
        best = "wrong"
        since: float | None = None
        moved_to: set[datetime] = set()
        for i, state in enumerate(history):
            if state.action == "move":
                moved_to.add(state.start)
            changed = history[i + 1].at if i + 1 < len(history) else math.inf
            if state.start != start or not self._calls_for(kind, state, moved_to) or \
                    (kind == "prompt" and not self._maybe_first_seen(history, i)):
                continue
            # Never at or after the start (a local check, so no grace); a change that
            # ended the state may race with a send already past its re-read.
            end = min(changed, start.timestamp())
            if state.began - self.rules.tolerance <= at < end:
                best, since = "ok", state.at
                break
            if changed <= at < min(changed + self.rules.grace, start.timestamp()):
                best, since = "race", state.at
        return best, since

    def _calls_for(self, kind: str, state: State, moved_to: set[datetime]) -> bool:
        if kind == "prompt":
            return state.status == PENDING
        if kind == "reminder":
            return state.status in LIVE
        if kind == "moved_prompt":  # the move told and the confirmation asked, in one
            return state.status == PENDING and state.start in moved_to
        if kind == "rescheduled":  # a pending one is asked in the same text (above)
            return state.status == APPROVED and state.start in moved_to
        return state.status == CANCELLED and state.action == "cancel"

    def _maybe_first_seen(self, history: list[State], i: int) -> bool:
        """Whether a plain prompt may be for state `i`: a booking, or a move whose earlier
        states were all too short for the bridge to be sure to have seen one (#13: a move
        it saw gets one text that asks, not a prompt)."""
        return history[i].action != "move" or all(
            later.at - state.at < self.rules.allowance
            for state, later in pairwise(history[:i + 1]))

    def _skip_true(self, appointment: Appointment, skip: Skip) -> bool:
        """Whether the soak's own record bears out why the bridge skipped a message."""
        slack = 5.0  # whole-second stamps, taken around an API read that may be retried
        # A change took effect somewhere between its call's start and its answer.
        before = [s for s in appointment.history if s.began <= skip.at + slack]
        statuses = {s.status for s in before}
        if skip.reason == "appointment_cancelled":
            return CANCELLED in statuses
        if skip.reason == "appointment_removed":
            return REMOVED in statuses
        if skip.reason == "appointment_moved":
            return any(s.start.timestamp() != skip.start for s in before)
        if skip.reason == "appointment_started":
            return skip.at >= skip.start - slack
        if skip.reason == "already_confirmed":
            return APPROVED in statuses
        if skip.reason == "asked_in_rescheduled_notice":  # moved there while pending
            return any(s.action == "move" and s.status == PENDING
                       and s.start.timestamp() == skip.start for s in before)
        if skip.reason == "booked_after_reminder_time":
            offset = self.rules.offsets.get(skip.variant, 0.0)
            return appointment.history[0].began >= skip.start - offset - slack
        if skip.reason.endswith("opted_out"):
            phone = self.phone_of.get(appointment.customer_id)
            return any(r.kind == "stop" and r.phone == phone and r.at <= skip.at + slack
                       for r in self.journal.replies)
        return False  # every customer in the soak's world has a valid address

    def _required(self, appointment: Appointment) -> list[tuple[str, datetime, str]]:
        """(kind, start, variant) the rules call for, whose time came during the run."""
        rules, history = self.rules, appointment.history
        out: list[tuple[str, datetime, str]] = []
        for i, state in enumerate(history):
            end = history[i + 1].at if i + 1 < len(history) else math.inf
            lasted = min(end, rules.checked_at) - state.at
            starts_later = state.start.timestamp() - state.at > rules.allowance
            if i == 0 and state.status == PENDING and lasted >= rules.allowance \
                    and starts_later:
                out.append(("prompt", state.start, ""))
            if state.status in LIVE:
                for label, offset in sorted(rules.offsets.items(), key=lambda x: -x[1]):
                    due = state.start.timestamp() - offset
                    if state.at + 1 <= due and due + rules.allowance <= min(end,
                                                                            rules.checked_at):
                        out.append(("reminder", state.start, label))
            if i == 0:
                continue
            before = history[i - 1]
            before_lasted = state.at - before.at >= rules.allowance
            if state.action == "move" and before_lasted and lasted >= rules.allowance \
                    and starts_later and state.start not in {h.start for h in history[:i]}:
                out.append(("moved_prompt", state.start, "confirm") if state.status == PENDING
                           else ("rescheduled", state.start, ""))
            if state.action == "cancel" and before.status in LIVE and before_lasted \
                    and starts_later:
                out.append(("cancelled", state.start, ""))
        return out

    def _story(self, appointment: Appointment, at: float) -> str:
        steps = [f"{s.action}->{s.status}@{s.start:%H:%M} {s.at - at:+.1f}s"
                 for s in appointment.history]
        return "; ".join(steps)

    # --- the booking system's final word ----------------------------------------------

    def _check_final_states(self, final_status: dict[int, str]) -> None:
        for appointment in self.journal.appointments.values():
            expected = appointment.state.status
            actual = final_status.get(appointment.id)
            if actual is None or actual == expected:
                continue
            if actual == CANCELLED:
                self.verdict.messages.wrong += 1
                self.verdict.problem(f"appointment {appointment.id} cancelled, but neither "
                                     "the practice nor an in-time NEE asked for it")
            else:
                self.verdict.answers.wrong += 1
                self.verdict.problem(f"appointment {appointment.id} is {actual}, the soak "
                                     f"expected {expected} ({self._story(appointment, 0)})")
