"""Who was last asked about which appointment, per phone number.

Every prompt or reminder sent by SMS is remembered under the recipient's number
until its appointment starts, so a reply ("JA", "NEE", a code) can be matched to the
appointment it answers. With several open ones the bridge asks which, and remembers
the question for a day.

The operator page reads every number's state (`numbers`, `states`); it only looks,
so its read of a pending question does not consume it as `take_question` does.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from redis import Redis

from bridge.store import keys
from bridge.store.text import as_text

__all__ = ["AskedAbout", "ConversationState", "Conversations", "PendingChoice"]

_CONVERSATION = keys.conversation("")
_CHOICE_SUFFIX = keys.pending_choice("").removeprefix(_CONVERSATION)


@dataclass(frozen=True, slots=True)
class PendingChoice:
    action: str  # "confirm" | "cancel"
    appointment_ids: tuple[int, ...]
    code: str | None


@dataclass(frozen=True, slots=True)
class AskedAbout:
    """An appointment a number was asked about: its start then, the kind that asked."""

    appointment_id: int
    start: datetime
    kind: str


@dataclass(frozen=True, slots=True)
class ConversationState:
    """What a reply from a number would be about, as the bridge remembers it now."""

    #: In the order Redis returns them (the reader orders them as it needs).
    asked: tuple[AskedAbout, ...]
    question: PendingChoice | None


def _choice(raw: bytes | str | None) -> PendingChoice | None:
    if raw is None:
        return None
    data = json.loads(as_text(raw))
    return PendingChoice(str(data["action"]), tuple(int(i) for i in data["ids"]),
                         data.get("code"))


def _asked(entries: dict[bytes, bytes]) -> tuple[AskedAbout, ...]:
    found = []
    for ident, raw in entries.items():
        entry = json.loads(as_text(raw))
        found.append(AskedAbout(int(as_text(ident)),
                                datetime.fromtimestamp(int(entry["start"]), UTC),
                                str(entry.get("kind", ""))))
    return tuple(found)


class Conversations:
    def __init__(self, redis: Redis, retention_seconds: int) -> None:
        self.redis = redis
        self.retention = retention_seconds

    def remember(self, phone: str, appointment_id: int, kind: str, start: datetime,
                 now: datetime) -> None:
        key = keys.conversation(phone)
        entry = json.dumps({"start": int(start.timestamp()), "kind": kind,
                            "at": int(now.timestamp())})
        with self.redis.pipeline() as pipe:
            pipe.hset(key, str(appointment_id), entry)
            pipe.expire(key, self.retention)
            pipe.execute()

    def asked_about(self, phone: str) -> list[int]:
        """Every appointment this number was asked about and not yet forgotten.

        Not filtered by the start we asked about: the practice may have moved the
        appointment since, so only the booking API can say which are still open."""
        return sorted(int(as_text(ident)) for ident in self.redis.hkeys(keys.conversation(phone)))

    def has(self, phone: str, appointment_id: int) -> bool:
        """Whether this number's conversation about the appointment is open."""
        return bool(self.redis.hexists(keys.conversation(phone), str(appointment_id)))

    def forget(self, phone: str, appointment_id: int) -> None:
        self.redis.hdel(keys.conversation(phone), str(appointment_id))

    def ask(self, phone: str, choice: PendingChoice) -> None:
        self.redis.set(keys.pending_choice(phone), json.dumps(
            {"action": choice.action, "ids": list(choice.appointment_ids), "code": choice.code}
        ), ex=keys.PENDING_CHOICE_SECONDS)

    def take_question(self, phone: str) -> PendingChoice | None:
        return _choice(self.redis.getdel(keys.pending_choice(phone)))

    def numbers(self) -> set[str]:
        """Every number with appointments asked about or a pending question (SCAN, never
        KEYS, so a large keyspace does not stall Redis)."""
        return {as_text(raw).removeprefix(_CONVERSATION).removesuffix(_CHOICE_SUFFIX)
                for raw in self.redis.scan_iter(match=_CONVERSATION + "*", count=1000)}

    def states(self, phones: Sequence[str]) -> dict[str, ConversationState]:
        """Each number's state, in one pipelined round trip (a practice has thousands
        of customers). Looking leaves the pending question in place."""
        with self.redis.pipeline(transaction=False) as pipe:
            for phone in phones:
                pipe.hgetall(keys.conversation(phone))
                pipe.get(keys.pending_choice(phone))
            answers = pipe.execute()
        return {phone: ConversationState(_asked(answers[2 * index]),
                                         _choice(answers[2 * index + 1]))
                for index, phone in enumerate(phones)}

    def erase(self, phone: str) -> int:
        return int(self.redis.delete(keys.conversation(phone), keys.pending_choice(phone)))
