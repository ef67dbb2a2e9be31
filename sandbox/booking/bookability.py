"""Turns stored schedule, blocks and appointments into lanes and bookable slots.

This is the bridge between SQLite and the pure rules in `availability.py`: it loads
exactly the rows one availability question needs (one agenda, one type, some resources,
a date range) and hands plain intervals to the rules. `getBookableDays`,
`getBookableTimes`, `getBookableBlocks` and consumer-mode `setAppointment` all ask it, so
they can never disagree.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sandbox.booking.availability import (
    Interval,
    Lane,
    SlotRules,
    free_blocks,
    peak_load,
    slot_starts,
    window,
)
from sandbox.booking.catalog import AppointmentType
from sandbox.booking.labels import CANCELLED, DELETED
from sandbox.booking.localtime import (
    days_between,
    format_datetime,
    parse_datetime,
    parse_time,
    to_local,
)

NO_MAXIMUM_DAYS = 731
"""How far ahead availability is computed when a type has no maximum lead time."""


@dataclass(frozen=True)
class Slot:
    """A bookable start (times) or free stretch (blocks) for one resource on one day."""

    start: datetime
    end: datetime
    resource_id: int | None


class Planner:
    """Answers availability questions for one agenda and one appointment type."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        agenda_id: int,
        grid_minutes: int,
        appointment_type: AppointmentType,
        now: datetime,
        resource_filter: Sequence[int] | None = None,
    ) -> None:
        self._conn = conn
        self._agenda_id = agenda_id
        self.type = appointment_type
        self._now = now
        latest = None
        if appointment_type.max_hours_before > 0:
            latest = now + timedelta(hours=appointment_type.max_hours_before)
        self.rules = SlotRules(
            duration=appointment_type.duration,
            buffer=appointment_type.buffer,
            grid_minutes=grid_minutes,
            capacity=appointment_type.capacity if appointment_type.uses_capacity else 1,
            earliest=now + timedelta(hours=appointment_type.min_hours_before),
            latest=latest,
        )
        self.resources = self._candidate_resources(resource_filter)

    def _candidate_resources(self, wanted: Sequence[int] | None) -> list[int | None]:
        if self.type.uses_capacity:
            return [None]
        rows = self._conn.execute('SELECT "Id" FROM resources WHERE "Status" = 1 ORDER BY "Id"')
        active = [int(row[0]) for row in rows]
        linked = [r for r in active if not self.type.resource_ids or r in self.type.resource_ids]
        return [r for r in linked if wanted is None or r in wanted]

    def _bounded(self, first: date, last: date) -> tuple[date, date]:
        today = to_local(self._now).date()
        first = max(first, today)
        if self.rules.latest is not None:
            last = min(last, to_local(self.rules.latest).date())
        else:
            last = min(last, today + timedelta(days=NO_MAXIMUM_DAYS))
        if self.type.explicit_end_date is not None:
            last = min(last, self.type.explicit_end_date)
        return first, last

    def lanes(self, first: date, last: date) -> list[Lane]:
        """Lanes for every bookable-looking day in range, ordered by day then resource."""
        if not self.type.active or not self.resources:
            return []
        first, last = self._bounded(first, last)
        if last < first:
            return []
        windows = self._windows(first, last)
        busy = self._busy(first, last)
        lanes: list[Lane] = []
        for day in days_between(first, last):
            for resource in self.resources:
                lane_windows = windows.get((day, resource), [])
                if lane_windows:
                    lane_busy = busy[(day, resource)] + busy[(day - timedelta(days=1), resource)]
                    lanes.append(Lane(day, resource, lane_windows, lane_busy))
        return lanes

    def _applies(self, row: sqlite3.Row, resource: int | None) -> bool:
        type_id, row_resource = row["AppointmentTypeId"], row["ResourceId"]
        if type_id is not None and int(type_id) != self.type.id:
            return False
        return row_resource is None or int(row_resource) == resource

    def _windows(self, first: date, last: date) -> dict[tuple[date, int | None], list[Interval]]:
        found: dict[tuple[date, int | None], list[Interval]] = defaultdict(list)
        schedule = self._conn.execute(
            'SELECT * FROM schedule WHERE "AgendaId" = ?', (self._agenda_id,)
        ).fetchall()
        by_weekday: dict[int, list[sqlite3.Row]] = defaultdict(list)
        for row in schedule:
            by_weekday[int(row["Weekday"])].append(row)
        blocks = self._conn.execute(
            'SELECT * FROM blocks WHERE "AgendaId" = ? AND "Date" BETWEEN ? AND ?',
            (self._agenda_id, first.isoformat(), last.isoformat()),
        ).fetchall()
        by_date: dict[str, list[sqlite3.Row]] = defaultdict(list)
        for row in blocks:
            by_date[str(row["Date"])].append(row)
        for day in days_between(first, last):
            rows = by_weekday[day.isoweekday()] + by_date[day.isoformat()]
            for resource in self.resources:
                for row in rows:
                    if self._applies(row, resource):
                        found[(day, resource)].append(_row_window(day, row))
        return found

    def _busy(self, first: date, last: date) -> dict[tuple[date, int | None], list[Interval]]:
        begin = format_datetime(datetime.combine(first - timedelta(days=1), datetime.min.time()))
        end = format_datetime(datetime.combine(last + timedelta(days=1), datetime.min.time()))
        if self.type.uses_capacity:
            rows = self._conn.execute(
                'SELECT NULL AS "ResourceId", "StartTime", "BlockedTime", "Capacity" '
                'FROM appointments WHERE "StartTime" >= ? AND "StartTime" < ? '
                'AND "AppointmentTypeId" = ? AND "AgendaId" = ? AND "Label" != ? '
                'AND "Status" != ?',
                (begin, end, self.type.id, self._agenda_id, CANCELLED, DELETED),
            ).fetchall()
        else:
            marks = ",".join("?" * len(self.resources))
            rows = self._conn.execute(
                'SELECT ar."ResourceId", a."StartTime", a."BlockedTime", 1 AS "Capacity" '
                "FROM appointments a CROSS JOIN appointment_resources ar "
                'ON ar."AppointmentId" = a."Id" '
                'WHERE a."StartTime" >= ? AND a."StartTime" < ? AND a."Label" != ? '
                f'AND a."Status" != ? AND ar."ResourceId" IN ({marks})',
                (begin, end, CANCELLED, DELETED, *self.resources),
            ).fetchall()
        busy: dict[tuple[date, int | None], list[Interval]] = defaultdict(list)
        for row in rows:
            start = parse_datetime(str(row["StartTime"]))
            stop = parse_datetime(str(row["BlockedTime"]))
            if start is None or stop is None:
                continue
            resource = None if row["ResourceId"] is None else int(row["ResourceId"])
            busy[(start.date(), resource)].extend([Interval(start, stop)] * int(row["Capacity"]))
        return busy

    def free_resources(self, start: datetime, finish: datetime) -> list[int]:
        """Candidate resources with nothing booked over [start, finish + buffer)."""
        day = start.date()
        busy = self._busy(day, day)
        taken = Interval(start, finish + self.rules.buffer)
        return [
            r
            for r in self.resources
            if r is not None
            and peak_load(busy[(day, r)] + busy[(day - timedelta(days=1), r)], taken) == 0
        ]

    def times(self, first: date, last: date) -> list[Slot]:
        """Bookable start times, ordered by start then resource."""
        slots = [
            Slot(start, start + self.rules.duration, lane.resource_id)
            for lane in self.lanes(first, last)
            for start in slot_starts(lane, self.rules)
        ]
        return sorted(slots, key=lambda s: (s.start, s.resource_id or 0))

    def days(self, first: date, last: date) -> list[date]:
        """Days with at least one bookable time."""
        found: list[date] = []
        for lane in self.lanes(first, last):
            if (not found or found[-1] != lane.day) and slot_starts(lane, self.rules):
                found.append(lane.day)
        return found

    def blocks(self, first: date, last: date) -> list[Slot]:
        """Free stretches that can hold at least one appointment of the type."""
        return [
            Slot(piece.start, piece.end, lane.resource_id)
            for lane in self.lanes(first, last)
            for piece in free_blocks(lane, self.rules)
        ]


def _row_window(day: date, row: sqlite3.Row) -> Interval:
    start = parse_time(str(row["StartTime"]))
    end = parse_time(str(row["EndTime"]))
    if start is None or end is None:
        return _empty(day)
    return window(day, start, end)


def _empty(day: date) -> Interval:
    midnight = datetime.combine(day, datetime.min.time())
    return Interval(midnight, midnight)
