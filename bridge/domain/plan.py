"""From an observed appointment state to the messages it calls for.

Two kinds of output, kept apart because the storage layer treats them differently:

- The **schedule** (`desired_schedule`): reminders at each configured offset while
  the appointment is live, plus a confirmation prompt while it is PENDING and the
  account requires confirmation. It depends only on the winning state (and `now`),
  so the storage layer replaces the appointment's pending scheduled messages with
  exactly this set: a reschedule moves the reminders (new start, new keys), a
  cancel or delete drops them (empty schedule), a duplicate changes nothing.
- The **notices** (`notices_for`): one-off messages that events call for, a
  "rescheduled" notice keyed by the new start and a "cancelled" notice keyed by
  the start, each switchable. They go out now, moved by quiet hours.

`send_time` turns a nominal send time into the real one, in this order:

1. The appointment has started (now ≥ start): nothing is sent, `APPOINTMENT_STARTED`.
2. A reminder due before the appointment was created is skipped,
   `BOOKED_AFTER_DUE`: it was booked after the reminder time, so it is not a
   missed reminder. Without a creation time this rule cannot apply.
3. Due in the past (downtime, or booked inside the offset): send now, once, late.
   "Once" is the storage layer's part: the key is stable and never sent twice.
4. Inside quiet hours (`QuietHours.move_out`): move earlier, to one minute before
   the quiet period begins; earlier, not later, so a reminder never creeps towards
   the appointment. If that moment has passed, move to the end of the quiet period
   when it is still before the appointment, else send now anyway: a message in
   quiet hours beats none (an early-morning appointment booked late at night still
   gets its prompt, a cancellation of it still arrives).
5. Never at or after the start: such a time is skipped, `APPOINTMENT_STARTED`.

The confirmation prompt and the notices are nominally due `now`; rule 2 does not
apply to them. A notice that rule 1 or 5 drops is simply not produced.

**One text for a moved PENDING appointment.** A move of an appointment that awaits
confirmation calls for a rescheduled notice and, since the prompt is keyed by the
start, a new prompt for the new start: two texts for one change. When both would go
out, `plan_change` folds them into one: the notice gets the variant `ASKS_TO_CONFIRM`
(its key stays `4711:rescheduled::<new start>`: one notice per move, asking or not);
it tells the move and asks to confirm (JA, the code, NEE) and opens the reply
conversation as a prompt does, and the prompt for the new start comes back as skipped
(`ASKED_IN_RESCHEDULED`). The storage layer marks a skipped key as done, so no later
observation of the same state schedules that prompt again; the folded notice is keyed
like the notice it replaces (new start), so reruns and reordered or repeated
observations give the same keys. A move back to a start already announced sends no
second notice, asking or not; the storage layer then gives the folded prompt back
(`unfold_announced`), so a PENDING appointment is always asked about its start. Both
were due `now` and moved alike by quiet hours, so the one text goes out when either
would have.
No fold without a notice (`notify_rescheduled` off: the prompt goes out as before) or
without a prompt (not PENDING, confirmation not required, or skipped by rule 1 or 5),
nor when `ask_in_rescheduled` is off: settings turn it off when the two kinds go out
on different channels (`OABRIDGE_CHANNELS`), so each keeps its channels. The schedule
is then the desired schedule of the winning state less the folded prompt. If the
appointment is confirmed before the notice goes out, the send job sends it without
the ask.

Everything here is pure: `now` is a parameter and settings are parsed once, at
start-up, into `PlanSettings`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from bridge.domain.events import Event, EventKind, diff_accepted
from bridge.domain.messages import (
    APPOINTMENT_STARTED,
    ASKED_IN_RESCHEDULED,
    ASKS_TO_CONFIRM,
    BOOKED_AFTER_DUE,
    UNSEEN_CANCELLATION,
    MessageKind,
    PlannedMessage,
    Skipped,
)
from bridge.domain.offsets import ReminderOffset, parse_offsets
from bridge.domain.quiet_hours import QuietHours, parse_quiet_hours
from bridge.domain.snapshot import Snapshot, supersedes
from bridge.domain.status import Label

__all__ = [
    "APPOINTMENT_STARTED",
    "ASKED_IN_RESCHEDULED",
    "ASKS_TO_CONFIRM",
    "BOOKED_AFTER_DUE",
    "MessageKind",
    "PlanChange",
    "PlanSettings",
    "PlannedMessage",
    "SendTime",
    "Skipped",
    "desired_schedule",
    "notices_for",
    "plan_change",
    "send_time",
    "unfold_announced",
]

SendTime = datetime | str
"""`send_time`'s answer: the aware send time, or the reason the message is skipped."""


@dataclass(frozen=True, slots=True)
class PlanSettings:
    """The account's message rules, built once at start-up and passed down."""

    reminder_offsets: tuple[ReminderOffset, ...]
    quiet_hours: QuietHours | None
    tz: ZoneInfo
    requires_confirmation: bool
    notify_rescheduled: bool = True
    notify_cancelled: bool = True
    ask_in_rescheduled: bool = True
    """A moved PENDING appointment gets one text that tells and asks (module docstring)."""
    unseen_cancelled_since: datetime | None = None
    """While recovering from a lost memory: announce a cancellation first seen as such
    whose appointment changed since then (`unseen_cancellation`); None otherwise."""

    def __post_init__(self) -> None:
        labels = [offset.label for offset in self.reminder_offsets]
        if len(set(labels)) != len(labels):
            raise ValueError(f"reminder offsets must differ, got {', '.join(labels)}")

    @classmethod
    def default(cls) -> PlanSettings:
        """One reminder a day before, quiet 21:00-08:00 Amsterdam time, confirmation on."""
        return cls(
            reminder_offsets=parse_offsets("1d"),
            quiet_hours=parse_quiet_hours("21:00-08:00"),
            tz=ZoneInfo("Europe/Amsterdam"),
            requires_confirmation=True,
        )


@dataclass(frozen=True, slots=True)
class PlanChange:
    """The whole decision for one observed state; see `plan_change`."""

    events: tuple[Event, ...]
    schedule: tuple[PlannedMessage, ...]
    notices: tuple[PlannedMessage, ...]
    skipped: tuple[Skipped, ...]
    accepted: bool


def send_time(
    nominal: datetime,
    appointment_start: datetime,
    created: datetime | None,
    settings: PlanSettings,
    now: datetime,
) -> SendTime:
    """When a message nominally due at `nominal` really goes out; see the module docstring."""
    if now >= appointment_start:
        return APPOINTMENT_STARTED
    if created is not None and nominal < created:
        return BOOKED_AFTER_DUE
    moment = nominal if nominal > now else now
    if settings.quiet_hours is not None:
        moment = settings.quiet_hours.move_out(
            moment, settings.tz, now=now, deadline=appointment_start
        )
    if moment >= appointment_start:
        return APPOINTMENT_STARTED
    return moment


def desired_schedule(
    snapshot: Snapshot, settings: PlanSettings, now: datetime
) -> tuple[tuple[PlannedMessage, ...], tuple[Skipped, ...]]:
    """The scheduled messages this state calls for, and those its rules drop.

    Nothing at all for a cancelled or removed appointment. For a started one every
    message comes back skipped (`APPOINTMENT_STARTED`), so the storage layer can
    record why a pending reminder was dropped after downtime.
    """
    if not snapshot.is_live:
        return (), ()
    ident, start = snapshot.appointment_id, snapshot.start
    started = now >= start  # skip the due-time arithmetic; send_time would say the same
    planned: list[PlannedMessage] = []
    skipped: list[Skipped] = []
    reminder = MessageKind.REMINDER
    for offset in settings.reminder_offsets:
        outcome = (
            APPOINTMENT_STARTED
            if started
            else send_time(offset.due(start, settings.tz), start, snapshot.created, settings, now)
        )
        if isinstance(outcome, str):
            skipped.append(Skipped(ident, reminder, start, offset.label, outcome))
        else:
            planned.append(PlannedMessage(ident, reminder, start, outcome, offset.label))
    if settings.requires_confirmation and snapshot.label is Label.PENDING:
        outcome = send_time(now, start, None, settings, now)
        if isinstance(outcome, str):
            skipped.append(Skipped(ident, MessageKind.CONFIRM_REQUEST, start, "", outcome))
        else:
            planned.append(PlannedMessage(ident, MessageKind.CONFIRM_REQUEST, start, outcome))
    return tuple(planned), tuple(skipped)


def notices_for(
    events: Sequence[Event], settings: PlanSettings, now: datetime
) -> tuple[PlannedMessage, ...]:
    """The one-off messages these events call for, due now (moved by quiet hours)."""
    notices: list[PlannedMessage] = []
    for event in events:
        if event.kind is EventKind.RESCHEDULED and settings.notify_rescheduled:
            kind = MessageKind.RESCHEDULED
        elif event.kind is EventKind.CANCELLED and settings.notify_cancelled:
            kind = MessageKind.CANCELLED
        else:
            continue
        start = event.snapshot.start
        outcome = send_time(now, start, None, settings, now)
        if not isinstance(outcome, str):
            notices.append(PlannedMessage(event.appointment_id, kind, start, outcome))
    return tuple(notices)


def unseen_cancellation(
    new: Snapshot, settings: PlanSettings, now: datetime
) -> tuple[PlannedMessage, ...]:
    """The cancelled notice for an appointment first seen cancelled while the bridge
    recovers from a lost memory. With the old states gone, a cancellation made between
    the loss and the first read after it is no change the diff can see, and its
    customer would hear nothing. So a cancelled appointment seen for the first time
    whose last change (its `UpdateTime`) came at or after `unseen_cancelled_since` (minutes
    before the loss: `bridge.sync.after_loss`) and whose start is ahead is announced, as variant
    `UNSEEN_CANCELLATION`: its send first looks in Twilio's log for a notice that went
    out before the loss, and skips its e-mail if it may have (`bridge.sending.recovery`)."""
    since = settings.unseen_cancelled_since
    if since is None or not settings.notify_cancelled or new.removed \
            or new.label is not Label.CANCELLED:
        return ()
    if new.updated is None or new.updated < since:
        return ()
    outcome = send_time(now, new.start, None, settings, now)
    if isinstance(outcome, str):
        return ()
    return (PlannedMessage(new.appointment_id, MessageKind.CANCELLED, new.start, outcome,
                           UNSEEN_CANCELLATION),)


def plan_change(
    old: Snapshot | None, new: Snapshot, settings: PlanSettings, now: datetime
) -> PlanChange:
    """Everything one observation decides: events, schedule, notices, skips.

    `accepted` says whether `new` wins (`supersedes`); the caller then stores it.
    `schedule` is always the desired schedule of the winning state, `old` when
    `new` loses, so applying it is safe either way.
    """
    if old is not None and not supersedes(new, old):
        schedule, skipped = desired_schedule(old, settings, now)
        return PlanChange((), schedule, (), skipped, accepted=False)
    events = diff_accepted(old, new)
    schedule, skipped = desired_schedule(new, settings, now)
    notices = notices_for(events, settings, now)
    if old is None:
        notices += unseen_cancellation(new, settings, now)
    if settings.ask_in_rescheduled:
        schedule, notices, skipped = _ask_in_notice(schedule, notices, skipped)
    return PlanChange(events, schedule, notices, skipped, accepted=True)


def _ask_in_notice(
    schedule: tuple[PlannedMessage, ...],
    notices: tuple[PlannedMessage, ...],
    skipped: tuple[Skipped, ...],
) -> tuple[tuple[PlannedMessage, ...], tuple[PlannedMessage, ...], tuple[Skipped, ...]]:
    """The prompt for the start a notice announces, folded into that notice."""
    moved_to = {n.start for n in notices if n.kind is MessageKind.RESCHEDULED}
    folded = [m for m in schedule if m.kind is MessageKind.CONFIRM_REQUEST and m.start in moved_to]
    if not folded:
        return schedule, notices, skipped
    asked = {m.start for m in folded}
    return (
        tuple(m for m in schedule if m not in folded),
        tuple(
            replace(n, variant=ASKS_TO_CONFIRM)
            if n.kind is MessageKind.RESCHEDULED and n.start in asked else n
            for n in notices
        ),
        skipped + tuple(
            Skipped(m.appointment_id, m.kind, m.start, m.variant, ASKED_IN_RESCHEDULED)
            for m in folded
        ),
    )


def unfold_announced(change: PlanChange, done: Collection[str]) -> PlanChange:
    """The fold undone where its notice cannot go out any more.

    A notice is one per move to its start, asking or not, so a move back to a start
    already announced (its notice's key `done`) sends no second notice. Had the prompt
    for that start been folded into it, the customer would never be asked: the prompt
    comes back instead, at the notice's send time (which was the prompt's)."""
    blocked = {n.start: n for n in change.notices if n.kind is MessageKind.RESCHEDULED
               and n.variant == ASKS_TO_CONFIRM and n.key in done}
    if not blocked:
        return change

    def folded(skip: Skipped) -> bool:
        return skip.reason == ASKED_IN_RESCHEDULED and skip.start in blocked

    prompts = tuple(PlannedMessage(s.appointment_id, s.kind, s.start,
                                   blocked[s.start].send_at, s.variant)
                    for s in change.skipped if folded(s))
    return replace(
        change,
        schedule=change.schedule + prompts,
        notices=tuple(n for n in change.notices if n not in blocked.values()),
        skipped=tuple(s for s in change.skipped if not folded(s)),
    )
