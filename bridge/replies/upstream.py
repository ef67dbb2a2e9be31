"""Acting on a reply's decision upstream: confirm or cancel, and record what changed.

- Confirm: with the code the decision chose; `Confirmed=0` answers "that code is not
  right".
- Cancel: `cancelAppointment` in customer mode with DryRun first; if allowed, the real
  cancel (which also drops the pending reminders), else "too late, call us".

Each change made upstream is recorded, sender masked (`bridge.store.reply_effects`),
and the appointment's new state goes into the plan at once.
"""

from __future__ import annotations

from bridge.booking import BookingApiError, BookingNotFoundError
from bridge.domain.messages import MessageKind, message_key
from bridge.domain.reply_decision import AppointmentState
from bridge.observability.masking import mask_phone
from bridge.replies.answer import Answer
from bridge.replies.services import ReplyServices
from bridge.store.reply_effects import ReplyEffect
from bridge.sync.snapshots import snapshot_of

__all__ = ["cancel", "confirm"]


def confirm(sv: ReplyServices, phone: str, state: AppointmentState, code: str) -> Answer:
    ident = state.appointment_id
    if not sv.booking.confirm_appointment(ident, code):
        return Answer("reply_wrong_code", ident)
    _changed(sv, phone, state, "confirmed")
    return Answer("reply_confirmed", ident)


def cancel(sv: ReplyServices, phone: str, state: AppointmentState) -> Answer:
    ident = state.appointment_id
    try:
        sv.booking.cancel_appointment(ident, dry_run=True)
    except BookingNotFoundError:
        return Answer("reply_no_appointment", ident)
    except BookingApiError:
        return Answer("reply_too_late", ident)
    # The answer tells the customer; the cancellation notice would say it twice. Marked
    # before the real cancel: a sync that sees the cancellation first, or Redis failing
    # just after it, let the notice go (the full soak). A cancel that fails unmarks it.
    notice = message_key(ident, MessageKind.CANCELLED, "", state.start)
    sv.plans.mark_answered(notice)
    try:
        sv.booking.cancel_appointment(ident)
    except Exception:
        sv.plans.unmark_answered(notice)
        raise
    _changed(sv, phone, state, "cancelled")
    sv.conversations.forget(phone, ident)
    return Answer("reply_cancelled", ident)


def _changed(sv: ReplyServices, phone: str, before: AppointmentState, action: str) -> None:
    """Record the appointment's new state, and what the reply changed upstream."""
    after = sv.booking.get_appointment(before.appointment_id)
    known = sv.plans.snapshot(after.id)
    if known is not None:
        sv.plans.observe([snapshot_of(after, known.agenda_id)], sv.plan_settings(),
                         sv.clock.now())
    sv.reply_effects.record(ReplyEffect(
        before.appointment_id, before.label.name, after.label.name, action, "sms",
        mask_phone(phone), sv.clock.now().timestamp()))
