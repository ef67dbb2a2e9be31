"""plan_change: the whole decision for one observation, step by step."""

from __future__ import annotations

from datetime import timedelta

from bridge.booking.models import Label
from bridge.domain.events import EventKind
from bridge.domain.plan import MessageKind, PlanChange, plan_change
from bridge.domain.snapshot import Snapshot
from tests.domain.builders import later, local, settings, snapshot

DEFAULT = settings()
NOW = local(2026, 6, 1, 12)


def keys(change: PlanChange) -> set[str]:
    return {message.key for message in change.schedule}


def test_new_appointment_is_planned() -> None:
    change = plan_change(None, snapshot(label=Label.PENDING), DEFAULT, NOW)
    assert change.accepted
    assert [e.kind for e in change.events] == [EventKind.CREATED]
    assert [m.kind for m in change.schedule] == [MessageKind.REMINDER, MessageKind.CONFIRM_REQUEST]
    assert change.notices == ()


def test_reschedule_replaces_the_reminder_keys_and_notifies() -> None:
    old = snapshot()
    moved = later(old, start=old.start + timedelta(days=2), finish=old.finish + timedelta(days=2))
    before = plan_change(None, old, DEFAULT, NOW)
    after = plan_change(old, moved, DEFAULT, NOW)
    assert keys(before).isdisjoint(keys(after))
    assert keys(after) == {f"4711:reminder:1d:{int(moved.start.timestamp())}"}
    assert [(n.kind, n.start) for n in after.notices] == [(MessageKind.RESCHEDULED, moved.start)]


def test_cancel_drops_reminders_and_notifies() -> None:
    old = snapshot(label=Label.PENDING)
    change = plan_change(old, later(old, label=Label.CANCELLED), DEFAULT, NOW)
    assert change.accepted
    assert change.schedule == ()
    assert [n.kind for n in change.notices] == [MessageKind.CANCELLED]


def test_delete_drops_reminders_quietly() -> None:
    old = snapshot()
    change = plan_change(old, old.as_removed(), DEFAULT, NOW)
    assert change.accepted
    assert [e.kind for e in change.events] == [EventKind.DELETED]
    assert (change.schedule, change.notices, change.skipped) == ((), (), ())


def test_confirmation_drops_the_prompt() -> None:
    old = snapshot(label=Label.PENDING)
    change = plan_change(old, later(old, label=Label.APPROVED), DEFAULT, NOW)
    assert [e.kind for e in change.events] == [EventKind.CONFIRMED]
    assert [m.kind for m in change.schedule] == [MessageKind.REMINDER]


def test_duplicate_changes_nothing() -> None:
    old = snapshot(label=Label.PENDING)
    first = plan_change(None, old, DEFAULT, NOW)
    again = plan_change(old, old, DEFAULT, NOW)
    assert not again.accepted
    assert (again.events, again.notices) == ((), ())
    assert again.schedule == first.schedule


def test_stale_state_keeps_the_newer_plan() -> None:
    old = snapshot()
    moved = later(old, start=old.start + timedelta(hours=3))
    change = plan_change(moved, old, DEFAULT, NOW)
    assert not change.accepted
    assert keys(change) == keys(plan_change(None, moved, DEFAULT, NOW))


def test_nothing_comes_back_after_a_tombstone() -> None:
    gone = snapshot().as_removed()
    change = plan_change(gone, later(snapshot(), 3600), DEFAULT, NOW)
    assert not change.accepted
    assert change == PlanChange((), (), (), (), accepted=False)


def test_first_sight_of_a_tombstone_is_stored_but_plans_nothing() -> None:
    change = plan_change(None, Snapshot.tombstone(4711, 1), DEFAULT, NOW)
    assert change == PlanChange((), (), (), (), accepted=True)


def test_edit_without_relevant_change_is_accepted_quietly() -> None:
    old = snapshot()
    change = plan_change(old, later(old), DEFAULT, NOW)
    assert change.accepted
    assert (change.events, change.notices) == ((), ())
    assert keys(change) == keys(plan_change(None, old, DEFAULT, NOW))


def test_started_appointment_reports_skips() -> None:
    old = snapshot()
    finished = later(old, label=Label.FINISHED)
    change = plan_change(old, finished, DEFAULT, old.start + timedelta(hours=1))
    assert change.schedule == ()
    assert [s.reason for s in change.skipped] == ["appointment_started"]
