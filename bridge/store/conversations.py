"""Who was last asked about which appointment, per phone number.

Every prompt or reminder sent by SMS is remembered under the recipient's number
until its appointment starts, so a reply ("JA", "NEE", a code) can be matched to the
appointment it answers. With several open ones the bridge asks which, and remembers
the question for a day.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from redis import Redis

from bridge.store import keys
from bridge.store.text import as_text

__all__ = ["Conversations", "PendingChoice"]


@dataclass(frozen=True, slots=True)
class PendingChoice:
    action: str  # "confirm" | "cancel"
    appointment_ids: tuple[int, ...]
    code: str | None


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

    def forget(self, phone: str, appointment_id: int) -> None:
        self.redis.hdel(keys.conversation(phone), str(appointment_id))

    def ask(self, phone: str, choice: PendingChoice) -> None:
        self.redis.set(keys.pending_choice(phone), json.dumps(
            {"action": choice.action, "ids": list(choice.appointment_ids), "code": choice.code}
        ), ex=keys.PENDING_CHOICE_SECONDS)

    def take_question(self, phone: str) -> PendingChoice | None:
        raw = self.redis.getdel(keys.pending_choice(phone))
        if raw is None:
            return None
        data = json.loads(as_text(raw))
        return PendingChoice(str(data["action"]), tuple(int(i) for i in data["ids"]),
                             data.get("code"))

    def erase(self, phone: str) -> int:
        return int(self.redis.delete(keys.conversation(phone), keys.pending_choice(phone)))
