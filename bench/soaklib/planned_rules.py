"""The oracle's rules for planned messages (#3, #4, #13): prompts, reminders, moved and
cancelled notices.

No duplicate (one per appointment, kind, offset and start); nothing lost (each message
the rules call for, whose time came during the run, was sent or skipped for a reason the
journal bears out, or, after Redis lost its data, an e-mail skipped as `memory lost;
may have been sent`: counted apart); nothing wrong (each was called for by the
appointment's state when the provider accepted it, or lands within the grace after the
change that made it unwanted: a race, counted apart).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import replace
from datetime import datetime
from itertools import pairwise

from bench.soaklib.evidence import Sent
from bench.soaklib.journal import APPROVED, CANCELLED, LIVE, PENDING, Appointment, Journal, State
from bench.soaklib.kinds import BRIDGE_KIND, message_kind
from bench.soaklib.orphans import ORPHAN_WAIT
from bench.soaklib.skip_rules import MEMORY_LOST, SLACK, borne_out
from bench.soaklib.verdict import Rules, Skip, Verdict
from bench.soaklib.world import AMSTERDAM

#: The notices of a move, which an amnesia can make the bridge unable to give.
MOVE_NOTICES = frozenset({"rescheduled", "moved_prompt"})


class PlannedRules:
    """Judges the planned messages and the bridge's skips into one `Verdict`."""

    def __init__(self, journal: Journal, rules: Rules, verdict: Verdict,
                 phone_of: dict[int, str]) -> None:
        self.journal = journal
        self.rules = rules
        self.verdict = verdict
        self.phone_of = phone_of

    def judge(self, planned: dict[int, list[Sent]], skips: list[Skip]) -> None:
        skipped: dict[tuple[int, str, str, int], Skip] = {}
        for skip in skips:
            # A cancelled notice's variant (`unseen`, #16) is not part of its identity.
            variant = "" if skip.kind == "cancelled" else skip.variant
            skipped[(skip.appointment_id, skip.kind, variant, int(skip.start))] = skip
            appointment = self.journal.appointments.get(skip.appointment_id)
            if appointment is not None and not self._skip_true(appointment, skip):
                self.verdict.messages.wrong += 1
                self.verdict.problem(f"{skip.kind} {skip.variant} for {skip.appointment_id} "
                                     f"skipped as {skip.reason!r}, which the soak's record "
                                     f"does not bear out ({appointment.story(skip.at)})")
        for appointment in self.journal.appointments.values():
            messages = planned.get(appointment.id, [])
            groups: dict[tuple[str, datetime], list[Sent]] = defaultdict(list)
            by_time = {s.astimezone(AMSTERDAM).strftime("%H:%M"): s
                       for s in appointment.starts()}
            for message in messages:
                message = self._with_offset(appointment, message, by_time)
                start = by_time.get(message.reading.time or "")
                if start is None:
                    self.verdict.messages.wrong += 1
                    self.verdict.problem(f"{message.reading.kind} for appointment "
                                         f"{appointment.id} names a start it never had")
                    continue
                groups[(message_kind(message), start)].append(message)
            for (kind, start), group in groups.items():
                self._judge_group(appointment, kind, start, sorted(group, key=lambda s: s.at))
            self._asked_twice(appointment, groups)
            self._judge_required(appointment, groups, skipped)

    def _judge_required(self, appointment: Appointment,
                        groups: dict[tuple[str, datetime], list[Sent]],
                        skipped: dict[tuple[int, str, str, int], Skip]) -> None:
        """Each message the rules call for: sent, skipped for a true reason, or missing."""
        for kind, start, variant, at in self._required(appointment):
            self.verdict.messages.expected += 1
            group = groups.get((kind, start), [])
            if any(kind != "reminder" or m.variant == variant for m in group):
                continue
            if kind == "moved_prompt" and self._told_once_confirmed(appointment, start, at,
                                                                    groups):
                continue
            read_by = self.rules.read_again_by(at) if kind in MOVE_NOTICES else None
            if read_by is not None:
                if kind == "rescheduled" or groups.get(("prompt", start)) or \
                        _state_ends(appointment, at) < read_by + self.rules.allowance:
                    self.verdict.unannounced_moves += 1  # #16: its old start forgotten
                    continue
                # Still awaiting confirmation when read again: a plain prompt, as first seen.
                kind, variant = "prompt", ""
            if self._behind_a_killed_attempt(appointment, kind, start, variant, at):
                self.verdict.orphan_waits += 1
                continue
            key = (appointment.id, BRIDGE_KIND[kind], variant, int(start.timestamp()))
            recorded = skipped.get(key)
            if recorded is not None and self._skip_true(appointment, recorded):
                if recorded.reason.endswith(MEMORY_LOST):  # #16: allowed, apart
                    self.verdict.memory_lost[kind] += 1
                else:
                    self.verdict.required_skipped[recorded.reason] += 1
                continue
            self.verdict.messages.missing += 1
            why = f" (skipped: {recorded.reason})" if recorded else ""
            why += f" ({appointment.story(at)})"
            self.verdict.problem(f"missing {kind} {variant} for appointment "
                                 f"{appointment.id} at {start:%H:%M}{why}")

    def _behind_a_killed_attempt(self, appointment: Appointment, kind: str,
                                 start: datetime, variant: str, at: float) -> bool:
        """An attempt of this message waited behind a killed one (`orphans`) and the
        state it was for ended within the allowance plus that wait."""
        if (appointment.id, BRIDGE_KIND[kind], int(start.timestamp())) not in \
                self.rules.orphaned:
            return False
        since = start.timestamp() - self.rules.offsets.get(variant, 0.0) \
            if kind == "reminder" else at
        return _state_ends(appointment, at) - since < self.rules.allowance + ORPHAN_WAIT

    def _told_once_confirmed(self, appointment: Appointment, start: datetime, at: float,
                             groups: dict[tuple[str, datetime], list[Sent]]) -> bool:
        """A pending move whose notice went out after the appointment was confirmed (by
        the practice, or by the customer's code to an earlier prompt): the notice follows
        the state it is sent in, so it tells the move and asks nothing."""
        ends = _state_ends(appointment, at)
        confirmed = any(s.at == ends and s.action in {"confirm", "sms-confirm"}
                        for s in appointment.history)
        return confirmed and any(m.at >= ends - self.rules.tolerance
                                 for m in groups.get(("rescheduled", start), []))

    def _emailed_again_after_loss(self, kind: str, copies: list[Sent]) -> int:
        """How many of a move notice's e-mailed `copies` (by time) repeat one e-mailed
        before an amnesia: a move back to a start announced before the loss makes the
        bridge's key for it again, and no SMTP server says what it delivered (#16's
        rule sends an e-mail whose time came after the loss). Allowed, counted apart."""
        if kind not in MOVE_NOTICES:
            return 0
        emails = [m for m in copies if m.channel == "email"]
        return sum(1 for later in emails[1:] if any(
            earlier.at < began and later.at > began
            for earlier in emails if earlier.at < later.at
            for began, _ in self.rules.amnesia))

    def _asked_twice(self, appointment: Appointment,
                     groups: dict[tuple[str, datetime], list[Sent]]) -> None:
        """A move unread before an amnesia may be asked about by a plain prompt (a first
        sight) instead of the move's notice that asks; never by both, about one stay at
        that start."""
        for kind, start in list(groups):
            if kind != "moved_prompt" or not groups.get(("prompt", start)):
                continue
            if any(s.action == "move" and s.start == start
                   and self.rules.unread_before_amnesia(s.at) for s in appointment.history) \
                    and self._same_visit(appointment, start, groups[("prompt", start)],
                                         groups[(kind, start)]):
                self.verdict.messages.duplicate += 1
                self.verdict.problem(f"prompt and moved_prompt for appointment "
                                     f"{appointment.id} at {start:%H:%M}: asked twice")

    @staticmethod
    def _same_visit(appointment: Appointment, start: datetime, prompts: list[Sent],
                    asks: list[Sent]) -> bool:
        """Whether a prompt and a moved prompt asked about one stay at `start`: no move
        away from it came between them. (Prompted at 05:39, moved to 05:44 and back,
        the move back is asked about again: a new state, not the same question.)"""
        return any(not any(s.action == "move" and s.start != start
                           and min(p.at, m.at) < s.at < max(p.at, m.at)
                           for s in appointment.history)
                   for p in prompts for m in asks)

    def _with_offset(self, appointment: Appointment, message: Sent,
                     by_time: dict[str, datetime]) -> Sent:
        """A reminder sent before a Redis loss that nothing links (see
        `Rules.before_loss`) has no offset: inferred from when it was accepted (the
        latest due time before it), and counted."""
        start = by_time.get(message.reading.time or "")
        if message.log_id is not None or message.reading.kind != "reminder" \
                or start is None or not self.rules.before_loss(message.at, SLACK):
            return message
        due = sorted((start.timestamp() - offset, label)
                     for label, offset in self.rules.offsets.items())
        label = next((lab for at, lab in reversed(due)
                      if at <= message.at + self.rules.tolerance), due[0][1])
        self.verdict.inferred_offsets += 1
        return replace(message, log_id=f"{appointment.id}:reminder:{label}:"
                                       f"{int(start.timestamp())}:{message.channel}")

    def _skip_true(self, appointment: Appointment, skip: Skip) -> bool:
        return borne_out(appointment, skip, self.rules,
                         self.phone_of.get(appointment.customer_id), self.journal.replies)

    def _judge_group(self, appointment: Appointment, kind: str, start: datetime,
                     group: list[Sent]) -> None:
        tally = self.verdict.messages
        tally.sent += len(group)
        copies: dict[str | None, list[Sent]] = defaultdict(list)
        for message in group:
            copies[message.variant if kind == "reminder" else ""].append(message)
            log_start = (message.log_id or "").split(":")
            if len(log_start) == 5 and log_start[3] != str(int(start.timestamp())):
                tally.wrong += 1
                self.verdict.problem(f"{kind} for {appointment.id}: its text names "
                                     f"{start:%H:%M}, the bridge's log another start")
        for variant, same in copies.items():
            count = len(same)
            repeated = self._emailed_again_after_loss(kind, same)
            if repeated:
                self.verdict.emailed_again[kind] += repeated
                count -= repeated
            if count > 1:
                tally.duplicate += count - 1
                which = ", ".join(
                    f"{m.channel} {m.provider_id} at "
                    f"{datetime.fromtimestamp(m.at, AMSTERDAM):%H:%M:%S.%f}"[:-3]
                    + f" ({m.log_id or 'unlinked'})" for m in same)
                self.verdict.problem(f"{count} x {kind} {variant or ''} for appointment "
                                     f"{appointment.id} at {start:%H:%M}: {which} "
                                     f"({appointment.story(group[0].at)})")
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
                                     f"({appointment.story(message.at)})")
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
            for state, later in pairwise(history[:i + 1])) \
            or self.rules.unread_before_amnesia(history[i].at)

    def _required(self, appointment: Appointment) -> list[tuple[str, datetime, str, float]]:
        """(kind, start, variant, when the change that calls for it was made) the rules
        call for, whose time came during the run."""
        rules, history = self.rules, appointment.history
        out: list[tuple[str, datetime, str, float]] = []
        for i, state in enumerate(history):
            end = history[i + 1].at if i + 1 < len(history) else math.inf
            lasted = min(end, rules.checked_at) - state.at - rules.silent(state.at, end)
            starts_later = state.start.timestamp() - state.at > rules.allowance
            if i == 0 and state.status == PENDING and lasted >= rules.allowance \
                    and starts_later:
                out.append(("prompt", state.start, "", state.at))
            if state.status in LIVE:
                for label, offset in sorted(rules.offsets.items(), key=lambda x: -x[1]):
                    due = state.start.timestamp() - offset
                    if state.at + 1 <= due and due + rules.allowance + rules.silent(due, end) \
                            <= min(end, rules.checked_at):
                        out.append(("reminder", state.start, label, state.at))
            if i == 0:
                continue
            before = history[i - 1]
            before_lasted = state.at - before.at >= rules.allowance
            if state.action == "move" and before_lasted and lasted >= rules.allowance \
                    and starts_later and state.start not in {h.start for h in history[:i]}:
                out.append(("moved_prompt", state.start, "confirm", state.at)
                           if state.status == PENDING else ("rescheduled", state.start, "",
                                                             state.at))
            if state.action == "cancel" and before.status in LIVE and before_lasted \
                    and starts_later:
                out.append(("cancelled", state.start, "", state.at))
        return out


def _state_ends(appointment: Appointment, at: float) -> float:
    """When the state the appointment took at `at` gave way to the next (inf: never)."""
    return next((s.at for s in appointment.history if s.at > at), math.inf)
