"""Inbound SMS as the bridge received them, each recorded once by Twilio's MessageSid.

A reply can arrive twice (Twilio's one retry, the inbound reconciliation finding it
again): `record` tells whether this is the first time, and only the first time
leads to handling. The record also keeps what handling decided (`state`, `answer`),
so a retried job after an upstream error answers the customer once, not twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from redis import Redis

from bridge.store import keys
from bridge.store.text import as_text

__all__ = ["InboundMessage", "InboundStore"]


@dataclass(frozen=True, slots=True)
class InboundMessage:
    sid: str
    sender: str
    to: str
    body: str
    received: int
    state: str  # received | handled | ignored:<why>
    answer: str  # the reply kind decided, once decided
    acting: str = ""  # the confirm or cancel under way upstream, before it is decided


class InboundStore:
    def __init__(self, redis: Redis, retention_seconds: int) -> None:
        self.redis = redis
        self.retention = retention_seconds

    def record(self, sid: str, sender: str, to: str, body: str, received: datetime) -> bool:
        """Keep an inbound message; True if it was not known before."""
        key = keys.inbound(sid)
        if not self.redis.hsetnx(key, "state", "received"):
            return False
        stamp = int(received.timestamp())
        with self.redis.pipeline() as pipe:
            pipe.hset(key, mapping={"from": sender, "to": to, "body": body, "received": stamp,
                                    "answer": ""})
            pipe.expire(key, self.retention)
            pipe.zadd(keys.INBOUND, {sid: stamp})
            pipe.execute()
        return True

    def get(self, sid: str) -> InboundMessage | None:
        data = {as_text(k): as_text(v) for k, v in self.redis.hgetall(keys.inbound(sid)).items()}
        if not data:
            return None
        return InboundMessage(sid, data.get("from", ""), data.get("to", ""),
                              data.get("body", ""), int(data.get("received", 0)),
                              data.get("state", ""), data.get("answer", ""),
                              data.get("acting", ""))

    def decide(self, sid: str, answer: str) -> None:
        self.redis.hset(keys.inbound(sid), "answer", answer)

    def act(self, sid: str, acting: str) -> None:
        """The confirm or cancel about to be made upstream (`bridge.replies.handling`)."""
        self.redis.hset(keys.inbound(sid), "acting", acting)

    def finish(self, sid: str, state: str) -> None:
        self.redis.hset(keys.inbound(sid), "state", state)

    def forget(self, sid: str) -> None:
        """Drop one message (its sender was erased: `bridge.store.tombstones`)."""
        with self.redis.pipeline() as pipe:
            pipe.delete(keys.inbound(sid))
            pipe.zrem(keys.INBOUND, sid)
            pipe.zrem(keys.INBOX, sid)
            pipe.execute()

    def known(self, sid: str) -> bool:
        return bool(self.redis.exists(keys.inbound(sid)))
