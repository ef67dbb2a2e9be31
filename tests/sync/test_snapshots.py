"""The edge's mapping from the booking API's appointment to the domain's snapshot."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bridge.booking.models import Appointment, AssignedResource
from bridge.domain.snapshot import Snapshot
from bridge.domain.status import Label, RecordStatus
from bridge.sync.snapshots import observation_of, snapshot_of, snapshot_text
from tests.domain.builders import AMS


def appointment(**changes: object) -> Appointment:
    base = Appointment(
        id=4711,
        start=datetime(2026, 10, 25, 2, 30, tzinfo=AMS),
        finish=datetime(2026, 10, 25, 3, 0, tzinfo=AMS),
        label=Label.PENDING,
        status=RecordStatus.ENABLED,
        appointment_type_id=42,
        customer_id=10,
        resources=(
            AssignedResource(9, None, None),
            AssignedResource(7, None, None),
            AssignedResource(9, None, None),
        ),
        created=datetime(2026, 10, 20, 9, 0, 0, 250, tzinfo=AMS),
        updated=datetime(2026, 10, 21, 10, 15, 30, tzinfo=AMS),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


class TestSnapshotOf:
    def test_copies_the_relevant_fields(self) -> None:
        snap = snapshot_of(appointment(), agenda_id=3)
        assert snap.appointment_id == 4711
        assert snap.agenda_id == 3
        assert snap.label is Label.PENDING
        assert snap.status is RecordStatus.ENABLED
        assert snap.customer_id == 10
        assert snap.appointment_type_id == 42
        assert snap.resource_ids == (7, 9)
        assert not snap.removed

    def test_normalises_datetimes_to_utc_whole_seconds(self) -> None:
        snap = snapshot_of(appointment(), agenda_id=3)
        assert snap.start == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
        assert snap.start.tzinfo is UTC
        assert snap.created == datetime(2026, 10, 20, 7, 0, tzinfo=UTC)
        assert snap.updated == datetime(2026, 10, 21, 8, 15, 30, tzinfo=UTC)

    def test_missing_times_stay_missing(self) -> None:
        snap = snapshot_of(appointment(created=None, updated=None), agenda_id=3)
        assert snap.created is None
        assert snap.updated is None

    def test_a_fresh_observation_equals_its_stored_form(self) -> None:
        snap = snapshot_of(appointment(), agenda_id=3)
        assert Snapshot.from_json(snap.to_json()) == snap

    def test_naive_datetimes_are_refused(self) -> None:
        with pytest.raises(ValueError, match="aware"):
            snapshot_of(appointment(start=datetime(2026, 1, 1, 9, 0)), agenda_id=3)




def test_the_text_is_the_snapshots_stored_form() -> None:
    for appt in (appointment(), appointment(created=None, updated=None, resources=())):
        assert snapshot_text(appt, 3) == snapshot_of(appt, 3).to_json()


def test_an_observation_builds_its_snapshot_only_when_asked() -> None:
    seen = observation_of(appointment(), 3)
    assert seen.appointment_id == 4711
    assert seen.text == snapshot_of(appointment(), 3).to_json()
    assert seen.make() == snapshot_of(appointment(), 3)
