"""Tombstones keep keyed hashes only, live for the retention, and can be lifted."""

from __future__ import annotations

from redis import Redis

from bridge.store.tombstones import Tombstones, customer, derive_key, email, phone, sid

PHONE = "+31612345678"


def test_a_tombstone_holds_and_names_nobody(redis: Redis) -> None:
    stones = Tombstones(redis, derive_key("the-api-secret-of-the-account"), 3600)
    stones.bury(phone(PHONE), email("Zoe@Example.nl"), customer(42), sid("SM" + "a" * 32))
    assert stones.holds(phone(PHONE))
    assert stones.holds(email("zoe@example.nl"))  # addresses compare in lower case
    assert stones.holds(phone("+31600000000"), customer(42))  # any of them
    assert not stones.holds(phone("+31600000000"), customer(43), email(""))
    assert not stones.holds(phone(""))
    dumped = b" ".join(redis.keys("*") + [redis.get(k) or b"" for k in redis.keys("*")])
    for needle in (b"31612345678", b"example", b"SMaaaa", b":42"):
        assert needle not in dumped
    assert all(0 < redis.ttl(k) <= 3600 for k in redis.keys("*"))


def test_the_key_matters(redis: Redis) -> None:
    Tombstones(redis, derive_key("one secret"), 60).bury(phone(PHONE))
    assert not Tombstones(redis, derive_key("another secret"), 60).holds(phone(PHONE))
    assert derive_key("one secret") != b"one secret"


def test_lifted(redis: Redis) -> None:
    stones = Tombstones(redis, derive_key("s"), 60)
    stones.bury(phone(PHONE))
    assert stones.lift(phone(PHONE), customer(7)) == 1
    assert not stones.holds(phone(PHONE))


def test_lifting_a_mark_lifts_what_was_buried_with_it(redis: Redis) -> None:
    stones = Tombstones(redis, derive_key("s"), 60)
    stones.bury_with(phone(PHONE), customer(77), customer(78))
    stones.bury(customer(79))
    dumped = b" ".join(redis.keys("*") + [m for k in redis.keys("*:with")
                                          for m in redis.smembers(k)])
    assert b":77" not in dumped and b"31612345678" not in dumped  # hashes only
    assert all(0 < redis.ttl(k) <= 60 for k in redis.keys("*"))
    assert stones.lift(phone(PHONE)) == 3
    assert not stones.holds(phone(PHONE), customer(77), customer(78))
    assert stones.holds(customer(79))  # not buried with it
    assert redis.keys("*:with") == []
