"""The conversations view: per phone number, what a reply from it would be about.

A number appears when the bridge remembers appointments it asked that number about
(`oab:conversation:<E.164>`), a question it is waiting to have answered
(`…:choice`), or an opt-out (`oab:optout:<E.164>`). Found with SCAN, never KEYS, so
a large keyspace does not stall Redis. The number itself is shown masked only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from redis import Redis

from bridge.admin.display import local_time, masked_contact
from bridge.store import keys
from bridge.store.text import as_text

__all__ = ["ConversationRow", "conversations", "numbers_known"]

#: More numbers than this are not listed (the page says how many there are).
LIMIT = 500
_CONVERSATION = keys.conversation("")
_OPT_OUT = keys.opt_out("")
_CHOICE_SUFFIX = keys.pending_choice("").removeprefix(_CONVERSATION)


@dataclass(frozen=True, slots=True)
class ConversationRow:
    number: str
    #: (appointment id, its start, the kind of message that asked)
    open_appointments: tuple[tuple[int, str, str], ...]
    question: str
    opted_out: str
    #: For ordering only: the soonest open appointment (epoch), else far in the future.
    soonest: float


def _scan(redis: Redis, prefix: str) -> set[str]:
    """The phone numbers in the keys that start with `prefix`."""
    return {as_text(raw).removeprefix(prefix).removesuffix(_CHOICE_SUFFIX)
            for raw in redis.scan_iter(match=prefix + "*", count=1000)}


def _numbers(redis: Redis) -> set[str]:
    return _scan(redis, _CONVERSATION) | _scan(redis, _OPT_OUT)


def numbers_known(redis: Redis) -> tuple[int, int]:
    """How many numbers the bridge holds a conversation or opt-out for; how many opted out."""
    opted_out = _scan(redis, _OPT_OUT)
    return len(_scan(redis, _CONVERSATION) | opted_out), len(opted_out)


def _question(raw: bytes | str | None) -> str:
    if raw is None:
        return ""
    data = json.loads(as_text(raw))
    ids = ", ".join(str(i) for i in data.get("ids", []))
    return f"which appointment to {data.get('action', '?')}: {ids}"


def _opted_out(raw: bytes | str | None, tz: ZoneInfo) -> str:
    if raw is None:
        return ""
    data = json.loads(as_text(raw))
    return f"{data.get('word', '?')} at {local_time(int(data.get('at', 0)), tz)}"


def _open(asked: dict[bytes, bytes], now: datetime) -> list[tuple[int, datetime, str]]:
    """What was asked about and had not started then (the page reads no booking API: an
    appointment moved since shows at the start we asked about), with the kind asked."""
    found = []
    for ident, raw in asked.items():
        entry = json.loads(as_text(raw))
        start = datetime.fromtimestamp(int(entry["start"]), UTC)
        if start > now:
            found.append((int(as_text(ident)), start, str(entry.get("kind", ""))))
    return sorted(found, key=lambda item: item[1])


def conversations(redis: Redis, tz: ZoneInfo, now: datetime) -> tuple[list[ConversationRow], int]:
    """The numbers (at most `LIMIT`, soonest open appointment first) and how many exist.

    One pipelined round trip for all numbers: a practice has thousands of customers.
    Reading the pending question with GET, not `Conversations.take_question`: looking
    must not consume the customer's pending choice.
    """
    numbers = sorted(_numbers(redis))
    with redis.pipeline(transaction=False) as pipe:
        for phone in numbers:
            pipe.hgetall(keys.conversation(phone))
            pipe.get(keys.pending_choice(phone))
            pipe.get(keys.opt_out(phone))
        answers = pipe.execute()
    rows = []
    for index, phone in enumerate(numbers):
        asked, question, opt_out = answers[3 * index: 3 * index + 3]
        open_ones = _open(asked, now)
        rows.append(ConversationRow(
            number=masked_contact("sms", phone),
            open_appointments=tuple((ident, local_time(start, tz), kind)
                                    for ident, start, kind in open_ones),
            question=_question(question),
            opted_out=_opted_out(opt_out, tz),
            soonest=open_ones[0][1].timestamp() if open_ones else float("inf"),
        ))
    rows.sort(key=lambda row: (row.soonest, row.number))
    return rows[:LIMIT], len(numbers)
