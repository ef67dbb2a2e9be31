"""The conversations view: per phone number, what a reply from it would be about.

A number appears when the bridge remembers appointments it asked that number about,
a question it is waiting to have answered, or an opt-out. The stores read them
(`Conversations`, `OptOuts`); this module only chooses what to show and how: the
number masked, times in the practice's zone, the soonest open appointment first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bridge.admin.display import local_time, masked_contact
from bridge.store.conversations import AskedAbout, Conversations, PendingChoice
from bridge.store.optouts import OptOutRecord, OptOuts

__all__ = ["ConversationRow", "conversations", "numbers_known"]

#: More numbers than this are not listed (the page says how many there are).
LIMIT = 500


@dataclass(frozen=True, slots=True)
class ConversationRow:
    number: str
    #: (appointment id, its start, the kind of message that asked)
    open_appointments: tuple[tuple[int, str, str], ...]
    question: str
    opted_out: str
    #: For ordering only: the soonest open appointment (epoch), else far in the future.
    soonest: float


def numbers_known(talk: Conversations, optouts: OptOuts) -> tuple[int, int]:
    """How many numbers the bridge holds a conversation or opt-out for; how many opted out."""
    opted_out = optouts.numbers()
    return len(talk.numbers() | opted_out), len(opted_out)


def _question(choice: PendingChoice | None, code_asked: int | None) -> str:
    if choice is None:
        return "" if code_asked is None else \
            f"the confirmation code for appointment {code_asked}"
    ids = ", ".join(str(i) for i in choice.appointment_ids)
    return f"which appointment to {choice.action}: {ids}"


def _opted_out(record: OptOutRecord | None, tz: ZoneInfo) -> str:
    return "" if record is None else f"{record.word} at {local_time(record.sent, tz)}"


def _open(asked: tuple[AskedAbout, ...], now: datetime) -> list[AskedAbout]:
    """What was asked about and had not started then (the page reads no booking API: an
    appointment moved since shows at the start we asked about), soonest first."""
    return sorted((entry for entry in asked if entry.start > now), key=lambda e: e.start)


def conversations(talk: Conversations, optouts: OptOuts, tz: ZoneInfo,
                  now: datetime) -> tuple[list[ConversationRow], int]:
    """The numbers (at most `LIMIT`, soonest open appointment first) and how many exist."""
    numbers = sorted(talk.numbers() | optouts.numbers())
    states = talk.states(numbers)
    records = optouts.records(numbers)
    rows = []
    for phone in numbers:
        open_ones = _open(states[phone].asked, now)
        rows.append(ConversationRow(
            number=masked_contact("sms", phone),
            open_appointments=tuple((entry.appointment_id, local_time(entry.start, tz),
                                     entry.kind) for entry in open_ones),
            question=_question(states[phone].question, states[phone].code_asked),
            opted_out=_opted_out(records.get(phone), tz),
            soonest=open_ones[0].start.timestamp() if open_ones else float("inf"),
        ))
    rows.sort(key=lambda row: (row.soonest, row.number))
    return rows[:LIMIT], len(numbers)
