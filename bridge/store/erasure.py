"""Removing everything the bridge holds about one person (`oabridge erase`).

By phone number: the opt-out record, the conversation and any pending question, the
reply rate counter, the inbound messages from that number, the message log records
sent to it, and cached contact details that carry it. By customer id: the cached
contact details, and (through the numbers and addresses found there or in the log)
the same as above. Appointment snapshots hold ids and times only, no personal data,
and stay. Every key the bridge writes is named in `bridge.store.keys`.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field

from redis import Redis

from bridge.store import keys
from bridge.store.text import as_text

__all__ = ["Erasure", "Removed"]


@dataclass
class Removed:
    counts: Counter[str] = field(default_factory=Counter)

    def add(self, what: str, number: int = 1) -> None:
        if number:
            self.counts[what] += number

    def summary(self) -> str:
        if not self.counts:
            return "nothing was held about that person"
        return ", ".join(f"{count} {what}" for what, count in sorted(self.counts.items()))


class Erasure:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    def erase_phone(self, phone: str, removed: Removed | None = None) -> Removed:
        removed = removed or Removed()
        removed.add("opt-out record", int(self.redis.delete(keys.opt_out(phone))))
        self.redis.delete(keys.opt_in(phone))  # only a time, kept for ordering
        removed.add("conversation", int(self.redis.delete(keys.conversation(phone))))
        removed.add("pending question", int(self.redis.delete(keys.pending_choice(phone))))
        self.redis.delete(keys.reply_rate(phone))
        for sid in [as_text(s) for s in self.redis.zrange(keys.INBOUND, 0, -1)]:
            if as_text(self.redis.hget(keys.inbound(sid), "from") or "") == phone:
                self.redis.delete(keys.inbound(sid))
                self.redis.zrem(keys.INBOUND, sid)
                removed.add("inbound message")
        self._erase_messages_to(phone, removed)
        for key in self.redis.scan_iter(match=keys.customer_cache(0)[:-1] + "*"):
            raw = self.redis.get(key)
            if raw is not None and json.loads(raw).get("mobile") == phone:
                self.redis.delete(key)
                removed.add("cached contact")
        return removed

    def erase_customer(self, customer_id: int) -> Removed:
        removed = Removed()
        raw = self.redis.get(keys.customer_cache(customer_id))
        if raw is not None:
            contact = json.loads(raw)
            self.redis.delete(keys.customer_cache(customer_id))
            removed.add("cached contact")
            if contact.get("mobile"):
                self.erase_phone(contact["mobile"], removed)
            if contact.get("email"):
                self._erase_messages_to(contact["email"], removed)
        return removed

    def _erase_messages_to(self, recipient: str, removed: Removed) -> None:
        for message_id in [as_text(m) for m in self.redis.zrange(keys.MESSAGES, 0, -1)]:
            record = keys.message(message_id)
            if as_text(self.redis.hget(record, "recipient") or "") != recipient:
                continue
            provider = as_text(self.redis.hget(record, "provider_id") or "")
            with self.redis.pipeline() as pipe:
                pipe.delete(record, keys.message_timeline(message_id))
                if provider:
                    pipe.delete(keys.provider_message(provider))
                pipe.zrem(keys.MESSAGES, message_id)
                pipe.execute()
            removed.add("logged message")
