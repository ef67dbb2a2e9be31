"""The message log: every message the bridge sent, tried or skipped, and its fate.

A record per message id (`<message key>:<channel>`): appointment, kind, channel,
recipient, rendered text, provider id, current status and a timeline of every
status with its time and error code. Provider callbacks may arrive late, twice or
out of order, so the timeline keeps every report while the current status only
moves forward (a `sent` arriving after `delivered` does not undo it). Records expire
after the retention period.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

from redis import Redis
from redis.typing import EncodableT, FieldT

from bridge.store import keys
from bridge.store.counters import counts_of
from bridge.store.text import as_text

__all__ = ["STATUS_RANK", "MessageLog", "MessageRecord"]

#: How far along a status is; the current status never moves to a lower rank.
STATUS_RANK = {
    "planned": 0, "claimed": 1, "unknown": 2, "queued": 3, "accepted": 3, "sending": 4,
    "sent": 5, "skipped": 6, "failed": 7, "undelivered": 7, "delivered": 8,
}

_ADVANCE = """
local current = redis.call('HGET', KEYS[1], 'status')
if not current then return 0 end
redis.call('RPUSH', KEYS[2], ARGV[3])
redis.call('EXPIRE', KEYS[2], tonumber(ARGV[4]))
local ranks = cjson.decode(ARGV[2])
if (ranks[ARGV[1]] or 0) > (ranks[current] or 0) then
  redis.call('HSET', KEYS[1], 'status', ARGV[1], 'updated', ARGV[5])
  redis.call('HINCRBY', KEYS[3], ARGV[1], 1)
  return 2
end
return 1
"""


@dataclass(frozen=True, slots=True)
class MessageRecord:
    message_id: str
    message_key: str
    appointment_id: int
    kind: str
    channel: str
    recipient: str
    status: str
    text: str = ""
    subject: str = ""
    provider_id: str = ""
    created: int = 0
    timeline: tuple[dict[str, object], ...] = field(default_factory=tuple)


class MessageLog:
    def __init__(self, redis: Redis, retention_seconds: int) -> None:
        self.redis = redis
        self.retention = retention_seconds
        self._advance = redis.register_script(_ADVANCE)

    def open(self, record: MessageRecord, now: datetime) -> None:
        """Create the record (or leave an existing one as it is)."""
        key = keys.message(record.message_id)
        stamp = int(now.timestamp())
        fields: dict[FieldT, EncodableT] = {
            "message_key": record.message_key, "appointment": record.appointment_id,
            "kind": record.kind, "channel": record.channel, "recipient": record.recipient,
            "status": record.status, "text": record.text, "subject": record.subject,
            "provider_id": record.provider_id, "created": stamp, "updated": stamp,
        }
        if not self.redis.hsetnx(key, "status", record.status):
            return
        with self.redis.pipeline() as pipe:
            pipe.hset(key, mapping=fields)
            pipe.expire(key, self.retention)
            pipe.zadd(keys.MESSAGES, {record.message_id: stamp})
            pipe.rpush(keys.message_timeline(record.message_id),
                       json.dumps({"status": record.status, "at": stamp}))
            pipe.expire(keys.message_timeline(record.message_id), self.retention)
            pipe.execute()

    def update(self, message_id: str, **fields: str | int) -> None:
        mapping: dict[FieldT, EncodableT] = {name: value for name, value in fields.items()}
        self.redis.hset(keys.message(message_id), mapping=mapping)

    def link_provider(self, message_id: str, provider_id: str) -> None:
        with self.redis.pipeline() as pipe:
            pipe.hset(keys.message(message_id), "provider_id", provider_id)
            pipe.set(keys.provider_message(provider_id), message_id, ex=self.retention)
            pipe.execute()

    def advance(
        self, message_id: str, status: str, now: datetime, *, code: int | None = None,
        detail: str = "",
    ) -> bool:
        """Add `status` to the timeline; True if the record exists."""
        entry: dict[str, object] = {"status": status, "at": int(now.timestamp())}
        if code is not None:
            entry["code"] = code
        if detail:
            entry["detail"] = detail
        result = self._advance(
            keys=[keys.message(message_id), keys.message_timeline(message_id),
                  keys.MESSAGE_COUNTS],
            args=[status, json.dumps(STATUS_RANK), json.dumps(entry), self.retention,
                  int(now.timestamp())],
        )
        return int(result) > 0

    def by_provider_id(self, provider_id: str) -> str | None:
        raw = self.redis.get(keys.provider_message(provider_id))
        return None if raw is None else as_text(raw)

    def get(self, message_id: str) -> MessageRecord | None:
        data = {as_text(k): as_text(v) for k, v in
                self.redis.hgetall(keys.message(message_id)).items()}
        if not data:
            return None
        timeline = tuple(json.loads(as_text(e)) for e in
                         self.redis.lrange(keys.message_timeline(message_id), 0, -1))
        return MessageRecord(
            message_id=message_id, message_key=data.get("message_key", ""),
            appointment_id=int(data.get("appointment", 0)), kind=data.get("kind", ""),
            channel=data.get("channel", ""), recipient=data.get("recipient", ""),
            status=data.get("status", ""), text=data.get("text", ""),
            subject=data.get("subject", ""), provider_id=data.get("provider_id", ""),
            created=int(data.get("created", 0)), timeline=timeline,
        )

    def count(self) -> int:
        """How many messages the log lists (the operator page's overview)."""
        return int(self.redis.zcard(keys.MESSAGES))

    def status_counts(self) -> dict[str, int]:
        """How many messages reached each status since the start (for /metrics)."""
        return counts_of(self.redis.hgetall(keys.MESSAGE_COUNTS))

    def recent(self, limit: int = 50) -> list[MessageRecord]:
        ids = [as_text(i) for i in self.redis.zrevrange(keys.MESSAGES, 0, limit - 1)]
        records = [self.get(i) for i in ids]
        return [r for r in records if r is not None]


def utc(stamp: int) -> datetime:
    return datetime.fromtimestamp(stamp, UTC)
