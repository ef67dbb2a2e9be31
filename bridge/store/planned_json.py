"""How a planned message is stored: compact JSON with the change that planned it.

A rescheduled notice also keeps where the appointment moved from, and every message
the correlation id of the change that planned it, for the send job's logs.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from bridge.domain.messages import MessageKind, PlannedMessage
from bridge.observability.correlation import current_correlation

__all__ = ["correlation_of", "planned_from_json", "planned_to_json", "previous_start_of"]


def planned_to_json(message: PlannedMessage, previous_start: datetime | None = None) -> str:
    data: dict[str, object] = {
        "a": message.appointment_id,
        "k": message.kind.value,
        "v": message.variant,
        "s": int(message.start.timestamp()),
        "t": int(message.send_at.timestamp()),
    }
    if previous_start is not None:  # a rescheduled notice says where it moved from
        data["p"] = int(previous_start.timestamp())
    correlation = current_correlation()
    if correlation:  # the change that planned it, for the send job's logs
        data["c"] = correlation
    return json.dumps(data, separators=(",", ":"))


def correlation_of(text: str | bytes) -> str | None:
    value = json.loads(text).get("c")
    return str(value) if value else None


def previous_start_of(text: str | bytes) -> datetime | None:
    moved_from = json.loads(text).get("p")
    return None if moved_from is None else datetime.fromtimestamp(int(moved_from), UTC)


def planned_from_json(text: str | bytes) -> PlannedMessage:
    data = json.loads(text)
    return PlannedMessage(
        appointment_id=int(data["a"]),
        kind=MessageKind(data["k"]),
        start=datetime.fromtimestamp(int(data["s"]), UTC),
        send_at=datetime.fromtimestamp(int(data["t"]), UTC),
        variant=str(data["v"]),
    )
