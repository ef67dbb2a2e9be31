"""Snapshots: building, storing as JSON, liveness, and which observation wins."""

from __future__ import annotations

import contextlib
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bridge.domain.snapshot import Snapshot, supersedes
from bridge.domain.status import Label, RecordStatus
from tests.domain.builders import later, local, snapshot


def test_constructor_refuses_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="aware"):
        snapshot(updated=datetime(2026, 1, 1, 9, 0))


class TestJson:
    @pytest.mark.parametrize(
        "snap",
        [
            snapshot(),
            snapshot(updated=None, created=None, customer_id=None, appointment_type_id=None),
            snapshot(resource_ids=(1, 2, 3), label=Label.CANCELLED, status=RecordStatus.DELETED),
            snapshot().as_removed(),
            Snapshot.tombstone(4711, 1),
        ],
    )
    def test_round_trip(self, snap: Snapshot) -> None:
        restored = Snapshot.from_json(snap.to_json())
        assert restored == snap
        assert restored.start.tzinfo is UTC

    def test_compact_with_epoch_seconds(self) -> None:
        text = snapshot(start=local(2026, 3, 29, 10), resource_ids=(7,)).to_json()
        assert " " not in text
        assert text.startswith("[1,4711,1,1774771200,")

    def test_accepts_bytes(self) -> None:
        assert Snapshot.from_json(snapshot().to_json().encode()) == snapshot()

    @pytest.mark.parametrize(
        "text",
        [
            "",
            "{}",
            "[]",
            "[2,4711,1,0,0,1,1,null,null,null,null,0,[]]",
            "[1,4711,1,0,0,1,1,null,null,null,null,0]",
            "[1,4711,1,0,0,9,1,null,null,null,null,0,[]]",
            '[1,"4711",1,0,0,1,1,null,null,null,null,0,[]]',
            "[1,4711,1,0,0,1,1,null,null,null,null,0,5]",
            "[1,4711,1,1e400,0,1,1,null,null,null,null,0,[]]",
            "[1,4711,1,99999999999999999999,0,1,1,null,null,null,null,0,[]]",
        ],
    )
    def test_rejects_anything_else(self, text: str) -> None:
        with pytest.raises(ValueError, match="not a stored snapshot"):
            Snapshot.from_json(text)

    @given(st.text())
    def test_arbitrary_text_raises_only_value_error(self, text: str) -> None:
        with contextlib.suppress(ValueError):
            Snapshot.from_json(text)


class TestLiveness:
    def test_enabled_and_not_cancelled_is_live(self) -> None:
        for label in (Label.PENDING, Label.APPROVED, Label.IN_PROGRESS, Label.FINISHED):
            assert snapshot(label=label).is_live

    def test_cancelled_disabled_deleted_removed_are_not(self) -> None:
        assert not snapshot(label=Label.CANCELLED).is_live
        assert not snapshot(status=RecordStatus.DISABLED).is_live
        assert not snapshot(status=RecordStatus.DELETED).is_live
        assert not snapshot().as_removed().is_live

    def test_tombstone_keeps_last_fields_when_known(self) -> None:
        previous = snapshot()
        gone = previous.as_removed()
        assert gone.removed
        assert replace(gone, removed=False) == previous

    def test_bare_tombstone(self) -> None:
        gone = Snapshot.tombstone(4711, 3)
        assert (gone.appointment_id, gone.agenda_id, gone.removed) == (4711, 3, True)
        assert gone.updated is None
        assert not gone.is_live


class TestSupersedes:
    def test_anything_beats_nothing(self) -> None:
        assert supersedes(snapshot(), None)
        assert supersedes(Snapshot.tombstone(4711, 1), None)

    def test_later_update_wins(self) -> None:
        old = snapshot()
        assert supersedes(later(old, start=old.start + timedelta(hours=1)), old)
        assert supersedes(later(old), old)  # even with nothing else changed

    def test_older_update_never_wins(self) -> None:
        new = snapshot()
        older = replace(new, updated=local(2026, 5, 1), start=local(2026, 6, 11, 9))
        assert not supersedes(older, new)

    def test_same_state_twice_does_not_win(self) -> None:
        assert not supersedes(snapshot(), snapshot())

    def test_equal_update_time_wins_only_with_different_content(self) -> None:
        old = snapshot()
        assert supersedes(replace(old, label=Label.PENDING), old)

    def test_missing_update_time_wins_only_with_different_content(self) -> None:
        old = snapshot(updated=None)
        assert not supersedes(snapshot(updated=None), old)
        assert supersedes(snapshot(updated=None, customer_id=11), old)
        assert supersedes(snapshot(customer_id=11), old)
        assert supersedes(snapshot(updated=None, customer_id=11), snapshot())

    def test_tombstone_is_final(self) -> None:
        gone = snapshot().as_removed()
        assert not supersedes(later(snapshot(), 3600), gone)
        assert not supersedes(gone, gone)
        assert not supersedes(Snapshot.tombstone(4711, 1), gone)

    def test_tombstone_replaces_live_and_cancelled(self) -> None:
        assert supersedes(Snapshot.tombstone(4711, 1), snapshot())
        assert supersedes(snapshot().as_removed(), snapshot())
        assert supersedes(Snapshot.tombstone(4711, 1), snapshot(label=Label.CANCELLED))
