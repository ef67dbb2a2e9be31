"""The messages a plan calls for, the ones it drops, and their stable keys.

A message's identity is its key: (appointment, kind, variant, start as epoch
seconds), e.g. `"4711:reminder:1d:1774771200"`. The send time is not part of it, so
re-planning the same state (a duplicate observation, a later `now`) yields the same
keys and cannot double a message, while a reschedule changes the start and so the
keys: the old reminders drop out of the plan and new ones come in.

The storage layer owns what happened to each key: it must not send a key twice and
records a `Skipped` only for a key it has not sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

__all__ = [
    "APPOINTMENT_STARTED",
    "ASKED_IN_RESCHEDULED",
    "ASKS_TO_CONFIRM",
    "BOOKED_AFTER_DUE",
    "MessageKind",
    "PlannedMessage",
    "Skipped",
    "message_key",
]

APPOINTMENT_STARTED = "appointment_started"
"""The appointment had started (or was over) before the message could go out."""

BOOKED_AFTER_DUE = "booked_after_reminder_time"
"""The reminder was due before the appointment was booked: not a missed reminder."""

ASKED_IN_RESCHEDULED = "asked_in_rescheduled_notice"
"""The prompt for a moved PENDING appointment's new start: its rescheduled notice asks."""

ASKS_TO_CONFIRM = "confirm"
"""The variant of a rescheduled notice that also asks the customer to confirm."""

UNSEEN_CANCELLATION = "unseen"
"""The variant of a cancelled notice for an appointment first seen cancelled while the
bridge recovers from a lost memory (`bridge.domain.plan.unseen_cancellation`): the same
notice as any other of that cancellation (not part of its key)."""


class MessageKind(Enum):
    CONFIRM_REQUEST = "confirm_request"
    REMINDER = "reminder"
    RESCHEDULED = "rescheduled"
    CANCELLED = "cancelled"


def message_key(appointment_id: int, kind: MessageKind, variant: str, start: datetime) -> str:
    """The stable identity of a message; see the module docstring."""
    return f"{appointment_id}:{kind.value}:{variant}:{int(start.timestamp())}"


@dataclass(frozen=True, slots=True)
class PlannedMessage:
    """A message to send at `send_at` (aware UTC) about the appointment at `start`.

    `variant` tells several reminders apart (the offset label, e.g. `"1d"`); it is
    `ASKS_TO_CONFIRM` for a rescheduled notice that also asks to confirm, and empty
    otherwise. Whether a notice asks is not part of its key: it is one notice of the
    move to its start, asking or not, so a move back to a start already announced is
    not announced again because the appointment was confirmed in between.
    """

    appointment_id: int
    kind: MessageKind
    start: datetime
    send_at: datetime
    variant: str = ""

    @property
    def key(self) -> str:
        return message_key(self.appointment_id, self.kind, _keyed(self.kind, self.variant),
                           self.start)


@dataclass(frozen=True, slots=True)
class Skipped:
    """A message the rules drop, with the reason (one of this module's constants)."""

    appointment_id: int
    kind: MessageKind
    start: datetime
    variant: str
    reason: str

    @property
    def key(self) -> str:
        return message_key(self.appointment_id, self.kind, _keyed(self.kind, self.variant),
                           self.start)


def _keyed(kind: MessageKind, variant: str) -> str:
    """The part of the variant that tells messages apart (see `PlannedMessage`)."""
    if kind is MessageKind.RESCHEDULED and variant == ASKS_TO_CONFIRM:
        return ""
    if kind is MessageKind.CANCELLED and variant == UNSEEN_CANCELLATION:
        return ""
    return variant
