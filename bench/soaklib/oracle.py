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

The rules themselves live one concern each: replies and opt-outs (`reply_rules`),
planned messages (`planned_rules`), skip reasons (`skip_rules`); this module sorts the
evidence, runs them in order and checks the booking system's final word.
"""

from __future__ import annotations

from collections import defaultdict

from bench.soaklib import texts, world
from bench.soaklib.evidence import Received, Sent
from bench.soaklib.journal import CANCELLED, Journal
from bench.soaklib.planned_rules import PlannedRules
from bench.soaklib.reply_rules import ReplyRules
from bench.soaklib.skip_rules import ALLOWED_SKIPS
from bench.soaklib.verdict import Rules, Skip, Tally, Verdict

__all__ = ["ALLOWED_SKIPS", "Oracle", "Rules", "Skip", "Tally", "Verdict"]


class Oracle:
    def __init__(self, journal: Journal, people: list[world.Customer], rules: Rules) -> None:
        self.journal = journal
        self.rules = rules
        self.verdict = Verdict()
        self.by_phone = {c.mobile: c.id for c in people if c.mobile}
        self.phone_of = {c.id: c.mobile for c in people if c.mobile}
        self.by_email = {c.email: c.id for c in people}
        self.appointment_of = {a.customer_id: a for a in journal.appointments.values()}
        self.replies = ReplyRules(journal, rules, self.verdict)
        self.planned = PlannedRules(journal, rules, self.verdict, self.phone_of)

    def judge(self, sent: list[Sent], received: list[Received], skips: list[Skip],
              final_status: dict[int, str], updated: dict[int, float]) -> Verdict:
        """The verdict on everything; the order matters: the replies' effects (confirm,
        cancel) join the appointments' histories before planned messages are judged."""
        planned, answers = self._sort(sent)
        self.replies.check_inbound_kept(received)
        self.replies.judge_replies(answers, sent, updated, skips)
        self.replies.cancelled_by_customers(final_status, updated)
        self.replies.upstream_latency(updated)
        self.replies.check_opt_outs(sent)
        self.planned.judge(planned, skips)
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

    def _check_final_states(self, final_status: dict[int, str]) -> None:
        """The booking system's final word: no cancel nobody asked for, every confirm and
        cancel a reply made."""
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
                                     f"expected {expected} ({appointment.story(0)})")
