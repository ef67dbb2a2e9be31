"""The plan store on a real Redis: order, duplicates, concurrent writers, dispatch."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from redis import Redis

from bridge.domain.plan import MessageKind, PlanSettings, desired_schedule
from bridge.domain.status import Label
from bridge.store import keys
from bridge.store.plan_store import PlanStore
from tests.domain.builders import later, snapshot

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
SETTINGS = PlanSettings.default()


def test_an_older_state_after_a_newer_one_changes_nothing(redis: Redis) -> None:
    store = PlanStore(redis)
    first = snapshot()
    moved = later(first, start=first.start + timedelta(hours=2),
                  finish=first.finish + timedelta(hours=2))
    assert store.observe([first], SETTINGS, NOW)
    assert store.observe([moved], SETTINGS, NOW)
    assert store.observe([first], SETTINGS, NOW) == []  # stale read arriving late
    assert store.snapshot(first.appointment_id) == moved
    assert {m.start for m in store.scheduled()} == {moved.start}


def test_duplicates_in_one_batch_count_once(redis: Redis) -> None:
    store = PlanStore(redis)
    changes = store.observe([snapshot(), snapshot(), snapshot()], SETTINGS, NOW)
    assert len(changes) == 1
    assert redis.xlen(keys.EVENTS) == 1


def test_concurrent_writers_end_with_the_newest_state(redis: Redis) -> None:
    base = snapshot()
    states = [later(base, seconds=60 * n, start=base.start + timedelta(minutes=15 * n),
                    finish=base.finish + timedelta(minutes=15 * n)) for n in range(1, 21)]

    def write(share: list) -> None:  # type: ignore[type-arg]
        store = PlanStore(Redis(connection_pool=redis.connection_pool))
        for state in share:
            store.observe([state], SETTINGS, NOW)

    threads = [threading.Thread(target=write, args=(states[i::2][::-1],)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    store = PlanStore(redis)
    newest = states[-1]
    assert store.snapshot(base.appointment_id) == newest
    wanted, _ = desired_schedule(newest, SETTINGS, NOW)
    reminders = {m.key for m in store.scheduled() if m.kind is MessageKind.REMINDER}
    assert reminders == {m.key for m in wanted}
    # Notices of the intermediate moves may wait too; the send job drops those whose
    # start is no longer the appointment's (see bridge.sending.still_wanted.why_not_send).


def test_a_dispatched_message_is_never_planned_again(redis: Redis) -> None:
    store = PlanStore(redis)
    state = snapshot()
    store.observe([state], SETTINGS, NOW)
    due_at = max(m.send_at for m in store.scheduled())
    due = store.due(due_at)
    assert due
    store.mark_dispatched(due, due_at)
    assert store.scheduled() == []
    edited = later(state, customer_id=11)  # a change that keeps the same start
    store.observe([edited], SETTINGS, NOW)
    assert store.scheduled() == []  # the reminder for this start was already sent
    moved = later(edited, start=state.start + timedelta(days=1),
                  finish=state.finish + timedelta(days=1))
    store.observe([moved], SETTINGS, NOW)
    assert {m.start for m in store.scheduled()} == {moved.start}


def test_a_removed_appointment_leaves_the_agenda_index(redis: Redis) -> None:
    store = PlanStore(redis)
    state = snapshot()
    store.observe([state], SETTINGS, NOW)
    assert redis.zcard(keys.agenda_index(state.agenda_id)) == 1
    store.observe([replace(state.as_removed())], SETTINGS, NOW)
    assert redis.zcard(keys.agenda_index(state.agenda_id)) == 0
    assert store.scheduled() == []


def test_events_are_counted_by_kind(redis: Redis) -> None:
    store = PlanStore(redis)
    assert store.event_counts() == {}
    state = snapshot()
    store.observe([state, snapshot(appointment_id=state.appointment_id + 1)], SETTINGS, NOW)
    store.observe([later(state, start=state.start + timedelta(hours=1),
                         finish=state.finish + timedelta(hours=1))], SETTINGS, NOW)
    assert store.event_counts() == {"created": 2, "rescheduled": 1}


def test_a_pending_move_back_to_an_announced_start_is_asked_by_prompt(redis: Redis) -> None:
    """One notice per move to a start, asking or not (the full soak's duplicate: two
    notices of one start, one planned to ask); where the second would have asked, the
    prompt folded into it comes back, so the customer is still asked about that start."""
    store = PlanStore(redis)
    settings = replace(SETTINGS, requires_confirmation=True)
    first = snapshot()
    elsewhere = first.start + timedelta(hours=2)
    moved = later(first, start=elsewhere, finish=first.finish + timedelta(hours=2))
    store.observe([first], settings, NOW)
    store.observe([moved], settings, NOW)  # approved, moved: the plain notice
    (notice,) = [m for m in store.due(NOW) if m.kind is MessageKind.RESCHEDULED]
    store.mark_dispatched([notice], NOW)
    back = later(moved, start=first.start, finish=first.finish, label=Label.PENDING)
    there_again = later(back, start=elsewhere, finish=moved.finish)
    store.observe([back], settings, NOW)
    store.observe([there_again], settings, NOW)  # would fold its prompt into a notice
    planned = [(m.kind, m.start) for m in store.scheduled()]
    assert (MessageKind.RESCHEDULED, elsewhere) not in planned  # announced already
    assert (MessageKind.CONFIRM_REQUEST, elsewhere) in planned  # asked by the prompt
