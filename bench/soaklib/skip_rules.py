"""Whether the soak's own record bears out the reason the bridge gave for a skip.

A rule allows "recorded as skipped with a reason" in place of a message; the reason
must be true by the journal, or the skip counts as a wrong message.
"""

from __future__ import annotations

from bench.soaklib.journal import (
    APPROVED,
    CANCELLED,
    PENDING,
    REMOVED,
    Appointment,
    Reply,
    State,
)
from bench.soaklib.verdict import Rules, Skip

#: Why a message may be skipped instead of sent (#3-#5: opt-out, invalid number, over).
ALLOWED_SKIPS = frozenset({
    "appointment_removed", "appointment_started", "appointment_cancelled",
    "appointment_moved", "already_confirmed", "booked_after_reminder_time", "opted_out",
    "invalid_number", "no_contact", "asked_in_rescheduled_notice",
    "memory lost; may have been sent", "cancelled by the customer's reply",
})
MEMORY_LOST = "memory lost; may have been sent"
"""#16: after Redis lost its data, an e-mail whose time came before the loss is skipped
with this reason (nobody can ask an SMTP server what it delivered); allowed, counted
apart (`Verdict.memory_lost`)."""
CANCELLED_BY_REPLY = "cancelled by the customer's reply"
"""#16: after an amnesia, the unseen cancellation of an appointment its customer cancelled
by a NEE is skipped: the reply's answer tells them (`bridge.sending.own_cancellation`)."""
SLACK = 5.0
"""Whole-second stamps, taken around an API read that may be retried."""


def borne_out(appointment: Appointment, skip: Skip, rules: Rules, phone: str | None,
              replies: list[Reply]) -> bool:
    """Whether the soak's record bears out why the bridge skipped a message; `phone` is
    the appointment's customer's, `replies` every reply the soak sent."""
    slack = SLACK
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
        # The start the appointment had then may be a later move's, earlier than the
        # message's own (a move notice for 04:40, handled once moved on to 04:39).
        return any(skip.at >= start - slack for start in _starts_then(before, skip.at, slack)) \
            or skip.at >= skip.start - slack
    if skip.reason == "already_confirmed":
        return APPROVED in statuses
    if skip.reason == "asked_in_rescheduled_notice":  # moved there while pending
        return any(s.action == "move" and s.status == PENDING
                   and s.start.timestamp() == skip.start for s in before)
    if skip.reason == "booked_after_reminder_time":
        # The booking took effect somewhere between its call's start and its answer (a
        # hung call takes seconds): true if it may have come after the reminder's time.
        offset = rules.offsets.get(skip.variant, 0.0)
        return appointment.history[0].at >= skip.start - offset - slack
    if skip.reason.endswith(MEMORY_LOST):
        return lost_before(appointment, skip, rules)
    if skip.reason == CANCELLED_BY_REPLY:
        return CANCELLED in statuses and any(
            r.kind == "nee" and r.phone == phone and r.at <= skip.at + slack for r in replies)
    if skip.reason.endswith("opted_out"):
        return any(r.kind == "stop" and r.phone == phone and r.at <= skip.at + slack
                   for r in replies)
    return False  # every customer in the soak's world has a valid address


def lost_before(appointment: Appointment, skip: Skip, rules: Rules) -> bool:
    """A memory-lost skip is true when Redis lost its data before the skip, after the
    message's time had come: a reminder's due time, a prompt's booking (the bridge
    notices the loss when Redis is back, so its `lost_at` is a little later)."""
    if skip.variant in rules.offsets:
        due = skip.start - rules.offsets[skip.variant]
    else:
        due = appointment.history[0].began
    return any(began <= skip.at + SLACK and due <= back + SLACK
               for began, back in rules.amnesia)


def _starts_then(before: list[State], at: float, slack: float) -> set[float]:
    """The starts the appointment may have had at `at`: the last state in force by
    `at - slack`, and any that took effect around `at`."""
    settled = [s for s in before if s.at <= at - slack]
    around = [s for s in before if s.at > at - slack]
    return {s.start.timestamp() for s in settled[-1:] + around}
