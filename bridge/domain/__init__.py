"""The pure core of change detection: snapshots, events and message plans.

No I/O and no clock: every function takes `now` as a parameter and plain data in,
and gives plain data back. Jobs and routes do the Redis and HTTP around it.

- `snapshot`: what is remembered of an appointment; which observation wins.
- `events`: what changed between two observations.
- `offsets`, `quiet_hours`, `local_time`: when reminders are due, when not to send.
- `messages`: planned and skipped messages and their stable keys.
- `plan`: from an observation to the messages it calls for.
"""

from bridge.domain.events import Event, EventKind, diff
from bridge.domain.messages import (
    APPOINTMENT_STARTED,
    ASKED_IN_RESCHEDULED,
    ASKS_TO_CONFIRM,
    BOOKED_AFTER_DUE,
    MessageKind,
    PlannedMessage,
    Skipped,
    message_key,
)
from bridge.domain.offsets import ReminderOffset, parse_offsets
from bridge.domain.plan import (
    PlanChange,
    PlanSettings,
    desired_schedule,
    notices_for,
    plan_change,
    send_time,
)
from bridge.domain.quiet_hours import QuietHours, parse_quiet_hours
from bridge.domain.snapshot import Snapshot, supersedes

__all__ = [
    "APPOINTMENT_STARTED",
    "ASKED_IN_RESCHEDULED",
    "ASKS_TO_CONFIRM",
    "BOOKED_AFTER_DUE",
    "Event",
    "EventKind",
    "MessageKind",
    "PlanChange",
    "PlanSettings",
    "PlannedMessage",
    "QuietHours",
    "ReminderOffset",
    "Skipped",
    "Snapshot",
    "desired_schedule",
    "diff",
    "message_key",
    "notices_for",
    "parse_offsets",
    "parse_quiet_hours",
    "plan_change",
    "send_time",
    "supersedes",
]
