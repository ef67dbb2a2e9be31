"""Removing everything the bridge holds about one person (`oabridge erase`), for good.

By phone number: the opt-out record, the conversation and any pending question, the
reply rate counter, the inbound messages from that number, the message log records
sent to it, and cached contact details that carry it. By customer id: the cached
contact details, and (through the number and address found there, or looked up by the
caller when nothing is cached) the same as above. Appointment snapshots hold ids and
times only, no personal data, and stay. Every key the bridge writes is named in
`bridge.store.keys`.

Removing is not enough: Twilio still lists the person's messages and the booking API
still knows the customer, so the next reconciliation, poll or retried job would bring
them back. The erasure first leaves tombstones (`bridge.store.tombstones`: keyed hashes
of the number, the address, the customer id and every MessageSid known) that each of
those paths honours for the retention. `Removed.sids` lists the MessageSids, for the
caller that also deletes them at Twilio.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from redis import Redis

from bridge.store import keys
from bridge.store.text import as_text
from bridge.store.tombstones import Mark, Tombstones, customer, email, phone, sid

__all__ = ["Erasure", "Removed"]


@dataclass
class Removed:
    counts: Counter[str] = field(default_factory=Counter)
    sids: set[str] = field(default_factory=set)
    """Twilio MessageSids of the person's messages the bridge knew (inbound and sent)."""

    def add(self, what: str, number: int = 1) -> None:
        if number:
            self.counts[what] += number

    def summary(self) -> str:
        if not self.counts:
            return "nothing was held about that person"
        return ", ".join(f"{count} {what}" for what, count in sorted(self.counts.items()))


class Erasure:
    def __init__(self, redis: Redis, tombstones: Tombstones) -> None:
        self.redis = redis
        self.tombstones = tombstones

    def erase_phone(self, number: str, removed: Removed | None = None) -> Removed:
        removed = removed or Removed()
        inbound = self._inbound_from(number)
        logged = self._logged_to(number)
        cached = self._cached_with(number)
        removed.sids.update(inbound, (p for _, p in logged if p))
        self._bury(phone(number), *(customer(c) for _, c in cached), removed=removed)
        removed.add("opt-out record", int(self.redis.delete(keys.opt_out(number))))
        self.redis.delete(keys.opt_in(number))  # only a time, kept for ordering
        removed.add("conversation", int(self.redis.delete(keys.conversation(number))))
        removed.add("pending question", int(self.redis.delete(keys.pending_choice(number))))
        self.redis.delete(keys.reply_rate(number))
        for message_sid in inbound:
            self.redis.delete(keys.inbound(message_sid))
            self.redis.zrem(keys.INBOUND, message_sid)
            removed.add("inbound message")
        self._delete_logged(logged, removed)
        for key, _ in cached:
            removed.add("cached contact", int(self.redis.delete(key)))
        return removed

    def erase_customer(self, customer_id: int, mobiles: Iterable[str] = (),
                       addresses: Iterable[str] = ()) -> Removed:
        """Erase a customer; `mobiles` and `addresses` are what the caller looked up when
        nothing is cached (the cached details, if any, are erased as well)."""
        removed = Removed()
        self._bury(customer(customer_id), removed=removed)
        contact = self.cached_contact(customer_id) or {}
        if contact:
            removed.add("cached contact", int(self.redis.delete(keys.customer_cache(customer_id))))
        numbers = {n for n in (*mobiles, contact.get("mobile")) if n}
        emails = {a.strip().lower() for a in (*addresses, contact.get("email")) if a}
        for number in sorted(numbers):
            self.erase_phone(number, removed)
        for address in sorted(emails):
            self.erase_email(address, removed)
        return removed

    def erase_email(self, address: str, removed: Removed | None = None) -> Removed:
        removed = removed or Removed()
        logged = self._logged_to(address)
        self._bury(email(address), removed=removed)
        self._delete_logged(logged, removed)
        return removed

    def cached_contact(self, customer_id: int) -> dict[str, str] | None:
        raw = self.redis.get(keys.customer_cache(customer_id))
        return None if raw is None else dict(json.loads(raw))

    def _bury(self, *marks: Mark, removed: Removed) -> None:
        """Tombstones first: a scan or a job running meanwhile already finds them."""
        self.tombstones.bury(*marks, *(sid(s) for s in removed.sids))

    def _inbound_from(self, number: str) -> list[str]:
        sids = [as_text(s) for s in self.redis.zrange(keys.INBOUND, 0, -1)]
        return [s for s in sids
                if as_text(self.redis.hget(keys.inbound(s), "from") or "") == number]

    def _logged_to(self, recipient: str) -> list[tuple[str, str]]:
        """(message id, provider id) of every logged message to `recipient`."""
        wanted = recipient.strip().lower()
        found = []
        for message_id in [as_text(m) for m in self.redis.zrange(keys.MESSAGES, 0, -1)]:
            record = keys.message(message_id)
            if as_text(self.redis.hget(record, "recipient") or "").strip().lower() == wanted:
                found.append((message_id, as_text(self.redis.hget(record, "provider_id") or "")))
        return found

    def _delete_logged(self, logged: list[tuple[str, str]], removed: Removed) -> None:
        for message_id, provider in logged:
            with self.redis.pipeline() as pipe:
                pipe.delete(keys.message(message_id), keys.message_timeline(message_id))
                if provider:
                    pipe.delete(keys.provider_message(provider))
                pipe.zrem(keys.MESSAGES, message_id)
                pipe.execute()
            removed.add("logged message")

    def _cached_with(self, number: str) -> list[tuple[str, int]]:
        """(key, customer id) of every cached contact that carries `number`."""
        found = []
        for key in self.redis.scan_iter(match=keys.customer_cache(0)[:-1] + "*"):
            raw = self.redis.get(key)
            if raw is None:
                continue
            contact = json.loads(raw)
            if contact.get("mobile") == number:
                found.append((as_text(key), int(contact.get("customer_id", 0))))
        return found
