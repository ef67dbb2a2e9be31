"""At send time the message is dropped, with a reason, when the appointment moved on."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bridge.domain.messages import MessageKind, PlannedMessage
from bridge.domain.snapshot import Snapshot
from bridge.domain.status import Label
from bridge.sending.still_wanted import skip, why_not_send
from tests.domain.builders import snapshot

STATE = snapshot()
NOW = STATE.start - timedelta(days=1)


def planned(kind: MessageKind = MessageKind.REMINDER, state: Snapshot = STATE) -> PlannedMessage:
    return PlannedMessage(state.appointment_id, kind, state.start, NOW, "1d")


@pytest.mark.parametrize(("state", "now", "kind", "reason"), [
    (STATE, NOW, MessageKind.REMINDER, None),
    (STATE.as_removed(), NOW, MessageKind.REMINDER, "appointment_removed"),
    (STATE, STATE.start, MessageKind.REMINDER, "appointment_started"),
    (snapshot(label=Label.CANCELLED), NOW, MessageKind.REMINDER, "appointment_cancelled"),
    (snapshot(label=Label.CANCELLED), NOW, MessageKind.CANCELLED, None),
    (STATE, NOW, MessageKind.CANCELLED, "appointment_not_cancelled"),
    (snapshot(start=STATE.start + timedelta(hours=1), finish=STATE.finish + timedelta(hours=1)),
     NOW, MessageKind.REMINDER, "appointment_moved"),
    (STATE, NOW, MessageKind.CONFIRM_REQUEST, "already_confirmed"),
    (snapshot(label=Label.PENDING), NOW, MessageKind.CONFIRM_REQUEST, None),
])
def test_why_not_send(state: Snapshot, now: object, kind: MessageKind,
                      reason: str | None) -> None:
    assert why_not_send(planned(kind), state, now) == reason  # type: ignore[arg-type]


def test_a_skip_names_the_message_and_the_channel() -> None:
    message = planned()
    entry = skip(message, "opted_out", "sms")
    assert (entry.appointment_id, entry.kind, entry.variant, entry.start) == (
        message.appointment_id, "reminder", "1d", message.start)
    assert (entry.reason, entry.channel) == ("opted_out", "sms")
