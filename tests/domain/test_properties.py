"""Order and repetition do not matter: the newest state's plan always wins."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bridge.booking.models import Label, RecordStatus
from bridge.domain.events import diff
from bridge.domain.offsets import parse_offsets
from bridge.domain.plan import ASKED_IN_RESCHEDULED, PlanSettings, desired_schedule, plan_change
from bridge.domain.snapshot import Snapshot, supersedes
from tests.domain.builders import local, settings, snapshot

NOW = local(2026, 3, 28, 22)  # inside quiet hours, the evening before spring forward
RULES = settings(reminder_offsets=parse_offsets("1d,2h"))

# Weighted towards live states, so most histories end with something to plan.
STATUSES = [RecordStatus.ENABLED] * 4 + [RecordStatus.DISABLED, RecordStatus.DELETED]

starts = st.builds(
    lambda hours: NOW + timedelta(hours=hours),
    st.integers(min_value=-30, max_value=24 * 5),
)


@st.composite
def histories(draw: st.DrawFn) -> list[Snapshot]:
    """States of one appointment with strictly increasing UpdateTime, maybe ending removed."""
    count = draw(st.integers(min_value=1, max_value=6))
    updated = local(2026, 3, 20, 9)
    states: list[Snapshot] = []
    for _ in range(count):
        updated += timedelta(seconds=draw(st.integers(min_value=1, max_value=86_400)))
        start = draw(starts)
        states.append(
            snapshot(
                start=start,
                finish=start + timedelta(minutes=draw(st.sampled_from([15, 30, 60]))),
                label=draw(st.sampled_from(Label)),
                status=draw(st.sampled_from(STATUSES)),
                updated=updated,
                created=draw(st.sampled_from([None, local(2026, 3, 20, 9), NOW])),
                customer_id=draw(st.sampled_from([10, 11])),
            )
        )
    removal = draw(st.sampled_from(["kept", "kept", "kept", "as_removed", "tombstone"]))
    if removal == "as_removed":
        states.append(states[-1].as_removed())
    elif removal == "tombstone":
        states.append(Snapshot.tombstone(states[0].appointment_id, states[0].agenda_id))
    return states


@st.composite
def deliveries(draw: st.DrawFn) -> tuple[list[Snapshot], list[Snapshot]]:
    """A history, and its states delivered in any order, each at least once."""
    states = draw(histories())
    extra = draw(st.lists(st.sampled_from(states), max_size=len(states) * 2))
    return states, draw(st.permutations([*states, *extra]))


def fold(delivered: list[Snapshot], rules: PlanSettings, now: datetime) -> Snapshot | None:
    stored: Snapshot | None = None
    for state in delivered:
        change = plan_change(stored, state, rules, now)
        assert change.accepted == supersedes(state, stored)
        assert change.events == diff(stored, state)
        if change.accepted:
            stored = state
        asked = {s.key for s in change.skipped if s.reason == ASKED_IN_RESCHEDULED}
        desired = desired_schedule(stored or state, rules, now)[0]
        assert change.schedule == tuple(m for m in desired if m.key not in asked)
    return stored


@given(deliveries(), st.sampled_from([NOW, NOW + timedelta(hours=11), NOW + timedelta(days=2)]))
def test_any_order_any_repetition_ends_with_the_newest_plan(
    case: tuple[list[Snapshot], list[Snapshot]], now: datetime
) -> None:
    states, delivered = case
    newest = states[-1]
    stored = fold(delivered, RULES, now)
    assert stored == newest
    assert desired_schedule(stored, RULES, now) == desired_schedule(newest, RULES, now)


@given(deliveries())
def test_a_state_never_wins_twice(case: tuple[list[Snapshot], list[Snapshot]]) -> None:
    _, delivered = case
    stored = fold(delivered, RULES, NOW)
    assert stored is not None
    for state in delivered:
        assert plan_change(stored, state, RULES, NOW).events == ()


@given(deliveries())
def test_schedule_never_sends_at_or_after_the_start_nor_before_now(
    case: tuple[list[Snapshot], list[Snapshot]],
) -> None:
    states, _ = case
    for state in states:
        planned, skipped = desired_schedule(state, RULES, NOW)
        for message in planned:
            assert NOW <= message.send_at < state.start
        assert len({m.key for m in planned} | {s.key for s in skipped}) == len(planned) + len(
            skipped
        )


@given(st.integers(min_value=-48, max_value=24 * 10), st.integers(min_value=0, max_value=48))
def test_reschedule_moves_every_reminder(hours: int, shift: int) -> None:
    booked = NOW - timedelta(days=3)
    old = snapshot(start=NOW + timedelta(hours=hours), created=booked, updated=booked)
    moved = replace(old, start=old.start + timedelta(hours=shift + 1), updated=NOW)
    old_keys = {m.key for m in desired_schedule(old, RULES, NOW)[0]}
    change = plan_change(old, moved, RULES, NOW)
    assert change.accepted
    assert old_keys.isdisjoint(m.key for m in change.schedule)
    if moved.start > NOW:
        assert {m.variant for m in change.schedule} == {"1d", "2h"}
