"""The reply-effects stream: what replies changed upstream, capped and kept only for the
retention period, senders stored masked."""

from __future__ import annotations

import pytest
from redis import Redis

from bridge.store import keys
from bridge.store.reply_effects import MAX_ENTRIES, ReplyEffect, ReplyEffects


def effect(appointment: int = 30012003, action: str = "confirmed") -> ReplyEffect:
    return ReplyEffect(appointment, "PENDING", "APPROVED" if action == "confirmed" else
                       "CANCELLED", action, "sms", "+33*******78", 1_796_000_000.5)


def test_an_effect_reads_back_as_written_and_describes_itself(redis: Redis) -> None:
    store = ReplyEffects(redis, 86400)
    entry_id = store.record(effect())
    assert store.after() == [(entry_id, effect())]
    assert effect().describe() == (
        "appointment 30012003: PENDING → APPROVED (confirmed by SMS from +33*******78)")


def test_a_reader_sees_each_entry_once_in_order(redis: Redis) -> None:
    store = ReplyEffects(redis, 86400)
    first = store.record(effect(1))
    assert store.last_id() == first
    second = store.record(effect(2, "cancelled"))
    assert [e.appointment_id for _, e in store.after(first)] == [2]
    assert store.after(second) == []
    assert [e.appointment_id for e in store.recent()] == [2, 1]  # newest first


def test_a_new_reader_starts_after_what_is_there(redis: Redis) -> None:
    store = ReplyEffects(redis, 86400)
    assert store.last_id() == "0" and store.after(store.last_id()) == []
    store.record(effect())
    assert store.after(store.last_id()) == []


def test_the_stream_is_capped(redis: Redis) -> None:
    store = ReplyEffects(redis, 86400)
    for number in range(MAX_ENTRIES + 5):
        store.record(effect(number))
    assert redis.xlen(keys.REPLY_EFFECTS) == MAX_ENTRIES
    assert store.recent(1)[0].appointment_id == MAX_ENTRIES + 4


@pytest.mark.parametrize("retention", [1, 3600])
def test_entries_older_than_the_retention_go_and_the_stream_expires(
    redis: Redis, retention: int
) -> None:
    redis.xadd(keys.REPLY_EFFECTS, {"appointment": 1}, id="1-0")  # from 1970
    store = ReplyEffects(redis, retention)
    store.record(effect(2))
    assert [e.appointment_id for e in store.recent()] == [2]
    assert 0 < redis.ttl(keys.REPLY_EFFECTS) <= retention

