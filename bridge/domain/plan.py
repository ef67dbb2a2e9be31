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

Everything here is pure: `now` is a parameter and settings are parsed once, at
start-up, into `PlanSettings`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bridge.booking.models import Label
from bridge.domain.events import Event, EventKind, diff_accepted
from bridge.domain.messages import (
    APPOINTMENT_STARTED,
    BOOKED_AFTER_DUE,
    MessageKind,
    PlannedMessage,
    Skipped,
)
from bridge.domain.offsets import ReminderOffset, parse_offsets
from bridge.domain.quiet_hours import QuietHours, parse_quiet_hours
from bridge.domain.snapshot import Snapshot, supersedes

__all__ = [
    "APPOINTMENT_STARTED",
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
    return PlanChange(events, schedule, notices, skipped, accepted=True)
