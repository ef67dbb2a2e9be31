"""The send job's first half: is this planned message still wanted, right now?

The plan was made from an earlier state. At send time the job re-reads the
appointment from the booking API; if it was cancelled, moved or removed meanwhile
(or, for a prompt, confirmed), the message is recorded as skipped and nothing is
sent. The fresh state is also fed to the plan store, so a move found here plans the
new reminders at once instead of at the next poll.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import structlog

from bridge.booking import BookingNotFoundError, Label
from bridge.domain.messages import MessageKind, PlannedMessage
from bridge.domain.snapshot import Snapshot
from bridge.store import keys
from workers import runtime
from workers.runtime import Runtime

__all__ = ["deliver_message", "why_not_send"]

log = structlog.get_logger(__name__)


def why_not_send(message: PlannedMessage, state: Snapshot, now: datetime) -> str | None:
    """The reason not to send `message` given the appointment's current state, if any."""
    if state.removed:
        return "appointment_removed"
    if now >= state.start:
        return "appointment_started"
    if message.kind is MessageKind.CANCELLED:
        return None if not state.is_live else "appointment_not_cancelled"
    if not state.is_live:
        return "appointment_cancelled"
    if state.start != message.start:
        return "appointment_moved"
    if message.kind is MessageKind.CONFIRM_REQUEST and state.label is not Label.PENDING:
        return "already_confirmed"
    return None


def _current_state(rt: Runtime, message: PlannedMessage) -> Snapshot:
    known = rt.plans.snapshot(message.appointment_id)
    agenda_id = known.agenda_id if known else 0
    try:
        appointment = rt.booking.get_appointment(message.appointment_id)
    except BookingNotFoundError:
        return known.as_removed() if known else Snapshot.tombstone(message.appointment_id, 0)
    return Snapshot.from_appointment(appointment, agenda_id)


def _record_skip(rt: Runtime, message: PlannedMessage, reason: str, now: datetime) -> None:
    rt.redis.xadd(
        keys.SKIPPED,
        {
            "appointment": message.appointment_id,
            "kind": message.kind.value,
            "variant": message.variant,
            "start": int(message.start.timestamp()),
            "reason": reason,
            "at": int(now.timestamp()),
        },
        maxlen=keys.STREAM_LENGTH,
        approximate=True,
    )


def deliver_message(message_key: str) -> dict[str, Any]:
    """Check a due message against the appointment's current state, then hand it on."""
    rt = runtime.current()
    message = rt.plans.planned(message_key)
    if message is None:
        return {"message": message_key, "status": "unscheduled"}
    now = rt.clock.now()
    state = _current_state(rt, message)
    if state.agenda_id:
        rt.plans.observe([state], rt.plan_settings(), now)
    reason = why_not_send(message, state, now)
    if reason is not None:
        _record_skip(rt, message, reason, now)
        log.info("message_skipped", message=message_key, reason=reason)
        return {"message": message_key, "status": "skipped", "reason": reason}
    rt.redis.xadd(
        keys.READY,
        {"message": message_key, "at": int(now.timestamp())},
        maxlen=keys.STREAM_LENGTH,
        approximate=True,
    )
    log.info("message_ready", message=message_key)
    return {"message": message_key, "status": "ready"}
