"""The pause of a held-back send grows with how late the message is, between 30 s and
5 minutes, and a message no longer planned is not put back (`bridge.sending.holds`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from redis import Redis

from bridge.sending.holds import FIRST_PAUSE, LONGEST_PAUSE, pause_for
from bridge.store import keys
from bridge.store.plan_store import PlanStore

DUE = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(("late", "pause"), [
    (timedelta(0), FIRST_PAUSE),
    (timedelta(seconds=-5), FIRST_PAUSE),  # held before its time (a clock skew)
    (timedelta(seconds=60), FIRST_PAUSE),
    (timedelta(seconds=90), timedelta(seconds=45)),
    (timedelta(minutes=8), timedelta(minutes=4)),
    (timedelta(hours=3), LONGEST_PAUSE),
])
def test_the_pause_is_half_the_lateness_within_bounds(late: timedelta,
                                                      pause: timedelta) -> None:
    assert pause_for(DUE, DUE + late) == pause


def test_only_a_planned_message_is_put_back_and_twice_is_one_entry(redis: Redis) -> None:
    plans = PlanStore(redis)
    assert not plans.plan_again("gone:reminder:1d:1", DUE)  # its record expired: nothing
    assert redis.zscore(keys.SCHEDULE, "gone:reminder:1d:1") is None
    redis.set(keys.planned("kept:reminder:1d:1"), "{}")
    assert plans.plan_again("kept:reminder:1d:1", DUE)
    assert plans.plan_again("kept:reminder:1d:1", DUE + FIRST_PAUSE)
    assert redis.zrange(keys.SCHEDULE, 0, -1, withscores=True) == [
        (b"kept:reminder:1d:1", (DUE + FIRST_PAUSE).timestamp())]
