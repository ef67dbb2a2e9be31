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

A writer checks the tombstones before it writes, but an erasure can run between its
check and its write (a send, the ingress, the reconciliation). So the erasure buries
before it sweeps, and each writer checks again after its last write
(`sweep_if_erased`): either that check finds the tombstone and the writer sweeps, or
it came before the burial, so the write did too and the erasure's sweep finds it.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from redis import Redis

from bridge.store import keys
from bridge.store.text import as_text
from bridge.store.tombstones import Tombstones, customer, email, phone, sid

__all__ = ["Erasure", "Removed"]


@dataclass
class Removed:
    counts: Counter[str] = field(default_factory=Counter)
    sids: set[str] = field(default_factory=set)
    """Twilio MessageSids of the person's messages the bridge knew (inbound and sent)."""
    customers: set[int] = field(default_factory=set)
    """Customers buried with a number because their cached contact carried it: lifting
    the number lifts them (`Tombstones.bury_with`)."""

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
        buried = {c for _, c in self._cached_with(number) if c}
        # First: whatever a writer records from now on, it finds buried when it checks
        # again after writing (`sweep_if_erased`); what it recorded before, this sweeps.
        self.tombstones.bury_with(phone(number), *(customer(c) for c in sorted(buried)))
        removed.customers.update(buried)
        return self.sweep_phone(number, removed)

    def sweep_phone(self, number: str, removed: Removed | None = None) -> Removed:
        """Delete what is held under `number` (buried already): its MessageSids are
        buried before their records go."""
        removed = removed or Removed()
        inbound = self._inbound_from(number)
        logged = self._logged_to(number)
        removed.sids.update(inbound, (p for _, p in logged if p))
        self.tombstones.bury(*(sid(s) for s in removed.sids))
        removed.add("opt-out record", int(self.redis.delete(keys.opt_out(number))))
        self.redis.delete(keys.opt_in(number))  # only a time, kept for ordering
        removed.add("conversation", int(self.redis.delete(keys.conversation(number))))
        removed.add("pending question", int(self.redis.delete(keys.pending_choice(number),
                                                              keys.code_asked(number))))
        self.redis.delete(keys.reply_rate(number))
        for message_sid in inbound:
            self._forget_inbound(message_sid)
            removed.add("inbound message")
        self._delete_logged(logged, removed)
        for key, _ in self._cached_with(number):
            removed.add("cached contact", int(self.redis.delete(key)))
        return removed

    def erase_customer(self, customer_id: int, mobiles: Iterable[str] = (),
                       addresses: Iterable[str] = ()) -> Removed:
        """Erase a customer; `mobiles` and `addresses` are what the caller looked up when
        nothing is cached (the cached details, if any, are erased as well)."""
        removed = Removed()
        self.tombstones.bury(customer(customer_id))
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
        self.tombstones.bury(email(address))
        return self.sweep_email(address, removed)

    def sweep_email(self, address: str, removed: Removed | None = None) -> Removed:
        removed = removed or Removed()
        logged = self._logged_to(address)
        removed.sids.update(p for _, p in logged if p)
        self.tombstones.bury(*(sid(s) for s in removed.sids))
        self._delete_logged(logged, removed)
        return removed

    def sweep_if_erased(self, *, customer_id: int | None = None,
                        numbers: Iterable[str | None] = (),
                        addresses: Iterable[str | None] = (),
                        sids: Iterable[str] = ()) -> bool:
        """For a writer that checked the tombstones, then wrote about a person: check
        again. An erasure that buried in between may have swept before the write landed;
        then sweep what is held under the erased marks (True). One EXISTS when nothing
        was erased, so every writer can afford it."""
        phones = [n for n in numbers if n]
        emails = [a for a in addresses if a]
        sid_list = list(sids)
        whole = customer(customer_id) if customer_id else ("customer", "")
        stones = self.tombstones
        if not stones.holds(whole, *map(phone, phones), *map(email, emails),
                            *map(sid, sid_list)):
            return False
        everything = stones.holds(whole)
        if everything:
            self.redis.delete(keys.customer_cache(customer_id or 0))
        for number in phones:
            if everything or stones.holds(phone(number)):
                self.sweep_phone(number)
        for address in emails:
            if everything or stones.holds(email(address)):
                self.sweep_email(address)
        for message_sid in sid_list:  # a record rewritten after its sender was swept
            self._forget_inbound(message_sid)
        return True

    def cached_contact(self, customer_id: int) -> dict[str, str] | None:
        raw = self.redis.get(keys.customer_cache(customer_id))
        return None if raw is None else dict(json.loads(raw))

    def _forget_inbound(self, message_sid: str) -> None:
        with self.redis.pipeline() as pipe:
            pipe.delete(keys.inbound(message_sid))
            pipe.zrem(keys.INBOUND, message_sid)
            pipe.zrem(keys.INBOX, message_sid)
            pipe.execute()

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
