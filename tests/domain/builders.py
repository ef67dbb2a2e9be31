"""Small builders for domain objects: a valid default, changed by keyword."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bridge.booking.models import Label, RecordStatus
from bridge.domain.plan import PlanSettings
from bridge.domain.snapshot import Snapshot

AMS = ZoneInfo("Europe/Amsterdam")
APPOINTMENT_ID = 4711


def local(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, fold: int = 0
) -> datetime:
    """An Amsterdam wall-clock reading as an aware UTC instant."""
    return datetime(year, month, day, hour, minute, tzinfo=AMS, fold=fold).astimezone(UTC)


def at_local(moment: datetime) -> tuple[int, int, int, int, int]:
    """The Amsterdam wall-clock reading of an instant, for readable asserts."""
    wall = moment.astimezone(AMS)
    return (wall.year, wall.month, wall.day, wall.hour, wall.minute)


def snapshot(**changes: Any) -> Snapshot:
    """A live, approved 30-minute appointment on 10 June 2026 at 10:00."""
    start = changes.pop("start", local(2026, 6, 10, 10))
    base = Snapshot(
        appointment_id=APPOINTMENT_ID,
        agenda_id=1,
        start=start,
        finish=changes.pop("finish", start + timedelta(minutes=30)),
        label=Label.APPROVED,
        status=RecordStatus.ENABLED,
        updated=local(2026, 6, 1, 9),
        created=local(2026, 6, 1, 9),
        customer_id=10,
        appointment_type_id=42,
    )
    return replace(base, **changes)


def later(snap: Snapshot, seconds: int = 60, **changes: Any) -> Snapshot:
    """`snap` edited upstream `seconds` later, with `changes`."""
    assert snap.updated is not None
    return replace(snap, updated=snap.updated + timedelta(seconds=seconds), **changes)


def settings(**changes: Any) -> PlanSettings:
    """The default settings (1d, quiet 21:00-08:00 Amsterdam, confirmation on), changed."""
    return replace(PlanSettings.default(), **changes)
