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

__all__ = ["AskedAbout", "Asking", "ConversationState", "Conversations", "PendingChoice"]

_CONVERSATION = keys.conversation("")
_SUFFIXES = (keys.pending_choice("").removeprefix(_CONVERSATION),
             keys.code_asked("").removeprefix(_CONVERSATION))
_TAKE_BACK = """
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then
  return 0
end
if ARGV[3] == '' then
  redis.call('HDEL', KEYS[1], ARGV[1])
else
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
end
return 1
"""


@dataclass(frozen=True, slots=True)
class PendingChoice:
    action: str  # "confirm" | "cancel"
    appointment_ids: tuple[int, ...]
    code: str | None


@dataclass(frozen=True, slots=True)
class Asking:
    """One `remember`: the entry it wrote and the one it replaced (None: it opened the
    conversation), so an SMS that never went out can be taken back."""

    phone: str
    appointment_id: int
    entry: str
    previous: str | None


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
    code_asked: int | None = None
    """The appointment whose code the bridge asked this number for, if it waits for it."""


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
        self._take_back = redis.register_script(_TAKE_BACK)

    def remember(self, phone: str, appointment_id: int, kind: str, start: datetime,
                 now: datetime, by: str = "") -> Asking:
        """Open (or refresh) the number's conversation about the appointment. `by`: the
        message whose SMS asks. What it replaced comes back, for `take_back`."""
        key, field = keys.conversation(phone), str(appointment_id)
        entry = json.dumps({"start": int(start.timestamp()), "kind": kind,
                            "at": int(now.timestamp()), "by": by})
        with self.redis.pipeline() as pipe:  # MULTI: the entry replaced is the one read
            pipe.hget(key, field)
            pipe.hset(key, field, entry)
            pipe.expire(key, self.retention)
            previous = pipe.execute()[0]
        return Asking(phone, appointment_id, entry,
                      None if previous is None else as_text(previous))

    def take_back(self, asking: Asking) -> bool:
        """The SMS that `asking` was for never went out: the conversation is put back as
        it was (closed, or as an earlier SMS left it), unless another SMS about the
        appointment wrote since (a reminder that went out while the prompt was refused
        for now): the customer may answer that one. Checked and written in one step."""
        return bool(self._take_back(keys=[keys.conversation(asking.phone)],
                                    args=[str(asking.appointment_id), asking.entry,
                                          asking.previous or ""]))

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

    def ask_code(self, phone: str, appointment_id: int) -> None:
        """The bridge answered "send your code" about this appointment (display only:
        a code is matched by the open conversation, not by this)."""
        self.redis.set(keys.code_asked(phone), str(appointment_id),
                       ex=keys.PENDING_CHOICE_SECONDS)

    def code_given(self, phone: str) -> None:
        """The number's reply settled it (confirmed, cancelled, or nothing left to ask)."""
        self.redis.delete(keys.code_asked(phone))

    def take_question(self, phone: str) -> PendingChoice | None:
        return _choice(self.redis.getdel(keys.pending_choice(phone)))

    def numbers(self) -> set[str]:
        """Every number with appointments asked about or a pending question (SCAN, never
        KEYS, so a large keyspace does not stall Redis)."""
        return {_number(as_text(raw))
                for raw in self.redis.scan_iter(match=_CONVERSATION + "*", count=1000)}

    def states(self, phones: Sequence[str]) -> dict[str, ConversationState]:
        """Each number's state, in one pipelined round trip (a practice has thousands
        of customers). Looking leaves the pending question in place."""
        with self.redis.pipeline(transaction=False) as pipe:
            for phone in phones:
                pipe.hgetall(keys.conversation(phone))
                pipe.get(keys.pending_choice(phone))
                pipe.get(keys.code_asked(phone))
            answers = pipe.execute()
        return {phone: ConversationState(_asked(answers[3 * index]),
                                         _choice(answers[3 * index + 1]),
                                         _code_asked(answers[3 * index + 2]))
                for index, phone in enumerate(phones)}

    def erase(self, phone: str) -> int:
        return int(self.redis.delete(keys.conversation(phone), keys.pending_choice(phone),
                                     keys.code_asked(phone)))


def _number(key: str) -> str:
    number = key.removeprefix(_CONVERSATION)
    for suffix in _SUFFIXES:
        number = number.removesuffix(suffix)
    return number


def _code_asked(raw: bytes | str | None) -> int | None:
    return None if raw is None else int(as_text(raw))
