"""The skipped-messages stream has one writer and one shape, whoever skips."""

from __future__ import annotations

from datetime import timedelta

from redis import Redis

from bridge.domain.plan import PlanSettings
from bridge.store.plan_store import PlanStore
from bridge.store.skips import Skip, SkipLog
from tests.domain.builders import snapshot

FIELDS = {"appointment", "kind", "variant", "start", "channel", "reason", "at"}


def test_a_skip_at_send_time_and_one_in_the_plan_have_the_same_fields(redis: Redis) -> None:
    state = snapshot()
    log = SkipLog(redis)
    now = state.start - timedelta(days=3)
    log.record(Skip(state.appointment_id, "reminder", "1d", state.start, "opted_out", "sms"),
               now)
    # Booked after its reminder time: the plan skips that reminder.
    late = state.start - timedelta(hours=2)
    PlanStore(redis).observe([snapshot(created=late)], PlanSettings.default(), late)
    first, *planned = log.entries()
    assert planned and all(set(entry) == FIELDS for entry in (first, *planned))
    assert first == {"appointment": str(state.appointment_id), "kind": "reminder",
                     "variant": "1d", "start": str(int(state.start.timestamp())),
                     "channel": "sms", "reason": "opted_out",
                     "at": str(int(now.timestamp()))}
    assert all(entry["channel"] == "" for entry in planned)


def test_entries_are_empty_before_any_skip(redis: Redis) -> None:
    assert SkipLog(redis).entries() == []
