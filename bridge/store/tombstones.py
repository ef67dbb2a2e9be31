"""Tombstones: what an erasure leaves behind so that nothing brings the person back.

After `oabridge erase` the world still knows the person: Twilio lists their messages
(until deleted with `--at-provider`, and a 20009 can keep one there for days), a queued
job names their reply, a planned reminder is due, the booking API still has the
customer. Every path that could record or contact someone asks here first: the inbound
webhook and the inbound reconciliation (a MessageSid or a sender), reply handling (the
MessageSid, the sender), and the send job (the customer id, the number, the address).

A tombstone is a key `oab:tombstone:<HMAC-SHA256(key, "<kind>:<value>")>` for each
erased phone number (E.164), e-mail address (lower case), customer id and Twilio
MessageSid. The value itself is never stored, only its keyed hash: a copy of Redis
does not say who was erased, and without the key nobody can test every Dutch mobile
number against it. The key is derived from `OABRIDGE_ERASURE_KEY`, a secret of its own
that is set once and never changed, or, when that is unset, from the booking API
secret (`Settings.erasure_secret`); neither enters Redis. Changing the key (or, without
one of its own, rotating the API secret) voids the tombstones made before: SECURITY.md.

Each tombstone lives as long as the bridge would still look at the person's messages:
the retention (`OABRIDGE_RETENTION_DAYS`). The inbound reconciliation never reads a
message older than that, and a message about to be sent is at most that old.

Erasing a number also buries the customers whose cached contact carried it
(`bury_with`); the number's tombstone then names theirs (by their keyed hashes, so it
still says nobody), and lifting the number lifts them too: a person served again after
`--lift --phone` is not left silenced under a customer id nobody can name.
"""

from __future__ import annotations

import hashlib
import hmac

from redis import Redis

from bridge.store import keys
from bridge.store.text import as_text

__all__ = ["Mark", "Tombstones", "customer", "derive_key", "email", "phone", "sid"]

#: One erased identifier: (kind, value).
Mark = tuple[str, str]

_CONTEXT = b"oabridge erasure tombstones v1"
#: Suffix of the set, next to a tombstone, of the tombstones buried with it.
_WITH = ":with"


def derive_key(secret: str) -> bytes:
    """The tombstones' HMAC key, derived from `Settings.erasure_secret` (never stored)."""
    return hmac.new(secret.encode("utf-8"), _CONTEXT, hashlib.sha256).digest()


def phone(number: str) -> Mark:
    """An E.164 phone number."""
    return ("phone", number.strip())


def email(address: str) -> Mark:
    return ("email", address.strip().lower())


def customer(customer_id: int) -> Mark:
    return ("customer", str(customer_id))


def sid(message_sid: str) -> Mark:
    """A Twilio MessageSid (inbound, or one the bridge sent)."""
    return ("sid", message_sid.strip())


class Tombstones:
    def __init__(self, redis: Redis, key: bytes, ttl_seconds: int) -> None:
        self.redis = redis
        self._key = key
        self.ttl_seconds = ttl_seconds

    def _name(self, mark: Mark) -> str:
        kind, value = mark
        digest = hmac.new(self._key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()
        return keys.tombstone(digest)

    def bury(self, *marks: Mark) -> None:
        """Keep a tombstone for each mark (renewed for the full life if already there)."""
        if not marks:
            return
        with self.redis.pipeline(transaction=False) as pipe:
            for mark in marks:
                pipe.set(self._name(mark), 1, ex=self.ttl_seconds)
            pipe.execute()

    def bury_with(self, lead: Mark, *linked: Mark) -> None:
        """Bury `lead` and `linked`; lifting `lead` later lifts `linked` too."""
        self.bury(lead, *linked)
        if not linked:
            return
        links = self._name(lead) + _WITH
        with self.redis.pipeline() as pipe:
            pipe.sadd(links, *(self._name(m) for m in linked))
            pipe.expire(links, self.ttl_seconds)
            pipe.execute()

    def holds(self, *marks: Mark) -> bool:
        """Whether any of the marks was erased (empty values are never erased)."""
        names = [self._name(m) for m in marks if m[1]]
        return bool(names) and int(self.redis.exists(*names)) > 0

    def lift(self, *marks: Mark) -> int:
        """Remove tombstones (the person asks to be served again), and those buried with
        them (`bury_with`); how many were there."""
        names = [self._name(m) for m in marks if m[1]]
        if not names:
            return 0
        links = [name + _WITH for name in names]
        with self.redis.pipeline(transaction=False) as pipe:
            for key in links:
                pipe.smembers(key)
            found = pipe.execute()
        prefix = keys.tombstone("")
        linked = {as_text(n) for members in found for n in members}
        lifted = int(self.redis.delete(*names, *(n for n in linked if n.startswith(prefix))))
        self.redis.delete(*links)
        return lifted
