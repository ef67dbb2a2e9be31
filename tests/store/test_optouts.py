"""Opt-outs and opt-ins follow the order the customer sent them, not the order handled.

Found by the full soak: a STOP whose job was rescued from a killed worker was handled
after the START the customer sent four seconds later, so the number stayed opted out
and the customer's next "Yes" opted in instead of confirming.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from redis import Redis

from bridge.store import keys
from bridge.store.erasure import Erasure
from bridge.store.optouts import OptOutRecord, OptOuts
from bridge.store.tombstones import Tombstones

PHONE = "+31612345678"
T = datetime(2026, 11, 25, 23, 42, tzinfo=UTC)


def test_stop_then_start_in_order(redis: Redis) -> None:
    optouts = OptOuts(redis)
    assert optouts.opt_out(PHONE, "STOP", T)
    assert optouts.is_opted_out(PHONE)
    assert optouts.opt_in(PHONE, T + timedelta(seconds=4))
    assert not optouts.is_opted_out(PHONE)


def test_a_stop_handled_after_a_later_start_changes_nothing(redis: Redis) -> None:
    optouts = OptOuts(redis)
    assert not optouts.opt_in(PHONE, T + timedelta(seconds=4))  # nothing to lift
    assert not optouts.opt_out(PHONE, "UNSUBSCRIBE", T)
    assert not optouts.is_opted_out(PHONE)


def test_a_start_handled_after_a_later_stop_changes_nothing(redis: Redis) -> None:
    optouts = OptOuts(redis)
    assert optouts.opt_out(PHONE, "STOP", T + timedelta(seconds=4))
    assert not optouts.opt_in(PHONE, T)
    assert optouts.is_opted_out(PHONE)


def test_a_stop_after_an_opt_in_long_ago_counts(redis: Redis) -> None:
    optouts = OptOuts(redis)
    optouts.opt_out(PHONE, "STOP", T - timedelta(days=2))
    optouts.opt_in(PHONE, T - timedelta(days=1))
    assert optouts.opt_out(PHONE, "STOP", T)
    assert optouts.is_opted_out(PHONE)
    assert 0 < redis.ttl(keys.opt_in(PHONE)) <= keys.OPT_IN_SECONDS


def test_erasure_leaves_no_opt_in_time(redis: Redis) -> None:
    optouts = OptOuts(redis)
    optouts.opt_out(PHONE, "STOP", T)
    optouts.opt_in(PHONE, T + timedelta(seconds=1))
    Erasure(redis, Tombstones(redis, b"k", 3600)).erase_phone(PHONE)
    assert redis.keys(f"*{PHONE}*") == []


def test_the_opted_out_numbers_and_their_records(redis: Redis) -> None:
    optouts = OptOuts(redis)
    other, never = "+31687654321", "+31600000000"
    optouts.opt_out(PHONE, "STOP", T)
    optouts.opt_out(other, "UNSUBSCRIBE", T + timedelta(minutes=1))
    optouts.opt_in(other, T + timedelta(minutes=2))
    optouts.opt_out("+31699999999", "STOPALL", T)
    assert optouts.numbers() == {PHONE, "+31699999999"}  # not the opt-in times
    assert optouts.records([PHONE, other, never]) == {PHONE: OptOutRecord("STOP", T)}
    assert optouts.records([]) == {}
