"""At send time: is this planned message still wanted, given the appointment now?

The plan was made from an earlier state. The send job re-reads the appointment from
the booking API; if it was cancelled, moved or removed meanwhile (or, for a prompt,
confirmed), the message is recorded as skipped and nothing is sent. The fresh state
is also fed to the plan store, so a move found here plans the new reminders at once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bridge.domain.messages import MessageKind, PlannedMessage
from bridge.domain.snapshot import Snapshot
from bridge.domain.status import Label
from bridge.sending.services import SendingServices
from bridge.store.skips import Skip
from bridge.sync.observations import state_now

__all__ = ["HANDOVER_MARGIN", "KEEPS_CONVERSATION", "current_state", "skip", "too_late",
           "why_not_send"]

#: Reasons to skip that leave what the message asked open: a prompt whose appointment
#: was confirmed meanwhile may still be answered (a NEE cancels). After Redis lost its
#: memory, such a message's conversation is rebuilt when Twilio shows it went out
#: (`bridge.sending.delivery`); a cancelled, removed, moved or started appointment's
#: is not.
KEEPS_CONVERSATION = frozenset({"already_confirmed"})

#: How long before the start a provider call may still begin. `why_not_send` checks the
#: start when the send begins; the lookups after a loss or a dead attempt (Twilio's log, read
#: page by page, under retries) can take many seconds, and the provider stamps a message
#: when it arrives. Seen in the full soak: reminders checked before the start, accepted
#: after it. So the start is checked again just before the call, with this margin.
HANDOVER_MARGIN = timedelta(seconds=2)


def too_late(state: Snapshot, now: datetime) -> bool:
    """Whether a provider call begun `now` may land at or after the appointment's start."""
    return now + HANDOVER_MARGIN >= state.start


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


def current_state(sv: SendingServices, message: PlannedMessage) -> Snapshot:
    """The appointment as the booking API has it now, also recorded in the plan."""
    known = sv.plans.snapshot(message.appointment_id)
    state = state_now(sv.booking, sv.plans, message.appointment_id,
                      known.agenda_id if known else 0)
    if state.agenda_id and state != known:  # news for the plan (a move, a cancel)
        sv.plans.observe([state], sv.plan_settings(), sv.clock.now())
    return state


def skip(message: PlannedMessage, reason: str, channel: str = "") -> Skip:
    """`message` (or its `channel`) not sent, as the skip log records it."""
    return Skip(message.appointment_id, message.kind.value, message.variant, message.start,
                reason, channel)
