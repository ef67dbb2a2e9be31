"""diff: which events an observation means, and none for stale or repeated ones."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bridge.booking.models import Label, RecordStatus
from bridge.domain.events import Event, EventKind, diff
from bridge.domain.snapshot import Snapshot
from tests.domain.builders import later, snapshot


def kinds(events: tuple[Event, ...]) -> list[EventKind]:
    return [event.kind for event in events]


def test_event_kind_values_are_lower_case_names() -> None:
    assert {kind.value for kind in EventKind} == {kind.name.lower() for kind in EventKind}


class TestFirstSight:
    def test_live_appointment_is_created(self) -> None:
        new = snapshot()
        (event,) = diff(None, new)
        assert event == Event(EventKind.CREATED, 4711, new)

    def test_cancelled_appointment_gives_nothing(self) -> None:
        assert diff(None, snapshot(label=Label.CANCELLED)) == ()
        assert diff(None, snapshot(status=RecordStatus.DELETED)) == ()

    def test_tombstone_gives_nothing(self) -> None:
        assert diff(None, Snapshot.tombstone(4711, 1)) == ()


class TestNothing:
    def test_same_state_twice(self) -> None:
        assert diff(snapshot(), snapshot()) == ()

    def test_older_state_after_newer(self) -> None:
        old = snapshot()
        newer = later(old, start=old.start + timedelta(days=1))
        assert diff(newer, old) == ()

    def test_anything_after_a_tombstone(self) -> None:
        gone = snapshot().as_removed()
        assert diff(gone, later(snapshot(), 3600, start=snapshot().start + timedelta(1))) == ()

    def test_only_the_update_time_moved(self) -> None:
        assert diff(snapshot(), later(snapshot())) == ()


class TestLiveChanges:
    def test_rescheduled_carries_both_starts(self) -> None:
        old = snapshot()
        moved = later(
            old, start=old.start + timedelta(hours=2), finish=old.finish + timedelta(hours=2)
        )
        (event,) = diff(old, moved)
        assert event.kind is EventKind.RESCHEDULED
        assert event.previous_start == old.start
        assert event.snapshot.start == moved.start

    def test_confirmed(self) -> None:
        old = snapshot(label=Label.PENDING)
        assert kinds(diff(old, later(old, label=Label.APPROVED))) == [EventKind.CONFIRMED]

    def test_moved_and_confirmed_at_once(self) -> None:
        old = snapshot(label=Label.PENDING)
        new = later(
            old,
            label=Label.APPROVED,
            start=old.start + timedelta(days=1),
            finish=old.finish + timedelta(days=1),
        )
        assert kinds(diff(old, new)) == [EventKind.RESCHEDULED, EventKind.CONFIRMED]

    def test_longer_appointment_is_changed(self) -> None:
        old = snapshot()
        assert kinds(diff(old, later(old, finish=old.finish + timedelta(minutes=15)))) == [
            EventKind.CHANGED
        ]

    def test_moved_and_longer(self) -> None:
        old = snapshot()
        new = later(
            old, start=old.start + timedelta(hours=1), finish=old.finish + timedelta(hours=2)
        )
        assert kinds(diff(old, new)) == [EventKind.RESCHEDULED, EventKind.CHANGED]

    def test_other_relevant_fields_are_changed(self) -> None:
        old = snapshot()
        for changes in (
            {"customer_id": 11},
            {"appointment_type_id": None},
            {"resource_ids": (7,)},
            {"agenda_id": 2},
            {"label": Label.FINISHED},
            {"label": Label.PENDING},
        ):
            assert kinds(diff(old, later(old, **changes))) == [EventKind.CHANGED], changes

    def test_equal_update_time_with_new_content_counts(self) -> None:
        old = snapshot(label=Label.PENDING)
        assert kinds(diff(old, replace(old, label=Label.APPROVED))) == [EventKind.CONFIRMED]


class TestEndings:
    def test_cancelled_label(self) -> None:
        old = snapshot()
        new = later(old, label=Label.CANCELLED, start=old.start + timedelta(hours=1))
        assert kinds(diff(old, new)) == [EventKind.CANCELLED]

    def test_deleted_or_disabled_status_is_cancelled(self) -> None:
        old = snapshot()
        assert kinds(diff(old, later(old, status=RecordStatus.DELETED))) == [EventKind.CANCELLED]
        assert kinds(diff(old, later(old, status=RecordStatus.DISABLED))) == [EventKind.CANCELLED]

    def test_tombstone_is_deleted(self) -> None:
        old = snapshot()
        (event,) = diff(old, old.as_removed())
        assert event.kind is EventKind.DELETED
        assert event.snapshot.removed

    def test_tombstone_of_a_cancelled_appointment_is_deleted(self) -> None:
        old = snapshot(label=Label.CANCELLED)
        assert kinds(diff(old, Snapshot.tombstone(4711, 1))) == [EventKind.DELETED]

    def test_cancellation_undone_is_created(self) -> None:
        old = snapshot(label=Label.CANCELLED)
        assert kinds(diff(old, later(old, label=Label.APPROVED))) == [EventKind.CREATED]

    def test_change_while_cancelled_is_changed(self) -> None:
        old = snapshot(label=Label.CANCELLED)
        assert kinds(diff(old, later(old, start=old.start + timedelta(1)))) == [EventKind.CHANGED]
        assert diff(old, later(old)) == ()
