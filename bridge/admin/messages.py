"""The messages view: the most recent messages with their status timelines, masked.

Read from the message log (`MessageLog.recent`), newest first. Each step of the
timeline keeps its provider error code, which is what an operator looks up when a
message did not arrive (Twilio's 30003, 21211, …).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from bridge.admin.display import local_time, mask_text, masked_contact
from bridge.store.message_log import MessageLog, MessageRecord

__all__ = ["MessageRow", "Step", "recent_messages"]

LIMIT = 100


@dataclass(frozen=True, slots=True)
class Step:
    status: str
    at: str
    code: str
    detail: str
    times: int = 1
    """How many entries in a row had this status (a hold retried every few minutes):
    shown once, with the last one's time."""


@dataclass(frozen=True, slots=True)
class MessageRow:
    when: str
    kind: str
    channel: str
    recipient: str
    appointment_id: int
    status: str
    steps: tuple[Step, ...]
    subject: str
    text: str


def _step(entry: dict[str, object], tz: ZoneInfo) -> Step:
    at = entry.get("at")
    return Step(
        status=str(entry.get("status", "")),
        at=local_time(at, tz, "%m-%d %H:%M:%S") if isinstance(at, int) else "-",
        code=str(entry["code"]) if "code" in entry else "",
        detail=mask_text(str(entry.get("detail", ""))),
    )


def _steps(timeline: Sequence[dict[str, object]], tz: ZoneInfo) -> tuple[Step, ...]:
    """The timeline with no status twice in a row: a run of one status is one step."""
    steps: list[Step] = []
    for entry in timeline:
        step = _step(entry, tz)
        if steps and steps[-1].status == step.status:
            step = replace(step, times=steps[-1].times + 1)
            steps[-1] = step
        else:
            steps.append(step)
    return tuple(steps)


def message_row(record: MessageRecord, tz: ZoneInfo) -> MessageRow:
    return MessageRow(
        when=local_time(record.created, tz),
        kind=record.kind,
        channel=record.channel,
        recipient=masked_contact(record.channel, record.recipient),
        appointment_id=record.appointment_id,
        status=record.status,
        steps=_steps(record.timeline, tz),
        subject=mask_text(record.subject),
        text=mask_text(record.text),
    )


def recent_messages(log: MessageLog, tz: ZoneInfo, limit: int = LIMIT) -> list[MessageRow]:
    return [message_row(record, tz) for record in log.recent(limit)]
