"""Read access to the account's configuration: agendas, resources, types and fields.

These objects are set up by the seed data and only read by the API, so they get plain
typed views here that the booking rules and handlers share.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sandbox.booking import errors
from sandbox.booking.labels import DELETED
from sandbox.booking.localtime import parse_date

CAPACITY = "capacity"
RESOURCE = "resource"


@dataclass(frozen=True)
class AppointmentType:
    """The scheduling-relevant part of an appointment type."""

    id: int
    name: str
    active: bool
    scheduling_type: str
    duration: timedelta
    buffer: timedelta
    min_hours_before: int
    max_hours_before: int
    consumer_bookable: bool
    explicit_end_date: date | None
    capacity: int
    resource_ids: tuple[int, ...]

    @property
    def uses_capacity(self) -> bool:
        return self.scheduling_type == CAPACITY


@dataclass(frozen=True)
class FieldDef:
    """An extra (non-generic) field that clients send and receive by its `Key`."""

    key: str
    label: str
    required: bool


def missing_fields(fields: Sequence[FieldDef], values: Mapping[str, str]) -> list[str]:
    """`Key: required (Label)` lines for required fields without a value."""
    return [
        f"{f.key}: required ({f.label})" for f in fields if f.required and not values.get(f.key)
    ]


def parse_id_list(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(",") if part.strip())


def _type_from_row(row: sqlite3.Row) -> AppointmentType:
    return AppointmentType(
        id=int(row["Id"]),
        name=str(row["Name"]),
        active=int(row["Status"]) == 1,
        scheduling_type=str(row["SchedulingType"]),
        duration=timedelta(minutes=int(row["Duration"])),
        buffer=timedelta(minutes=int(row["Buffer"])),
        min_hours_before=int(row["MinTimeBeforeAppointment"]),
        max_hours_before=int(row["MaxTimeBeforeAppointment"]),
        consumer_bookable=int(row["CanBeBookedByConsumer"]) == 1,
        explicit_end_date=parse_date(str(row["ExplicitEndDate"])),
        capacity=max(1, int(row["Capacity"])),
        resource_ids=parse_id_list(str(row["ResourceId"])),
    )


def _by_id(conn: sqlite3.Connection, table: str, kind: str, object_id: int) -> sqlite3.Row:
    row: sqlite3.Row | None = conn.execute(
        f'SELECT * FROM {table} WHERE "Id" = ?', (object_id,)
    ).fetchone()
    if row is None:
        raise errors.not_found(kind, object_id)
    return row


def agenda_row(conn: sqlite3.Connection, agenda_id: int) -> sqlite3.Row:
    return _by_id(conn, "agendas", "Agenda", agenda_id)


def resource_row(conn: sqlite3.Connection, resource_id: int) -> sqlite3.Row:
    return _by_id(conn, "resources", "Resource", resource_id)


def appointment_type_row(conn: sqlite3.Connection, type_id: int) -> sqlite3.Row:
    return _by_id(conn, "appointment_types", "AppointmentType", type_id)


def customer_row(conn: sqlite3.Connection, customer_id: int) -> sqlite3.Row:
    """A customer that exists and is not deleted (a deleted one is "not found")."""
    row: sqlite3.Row | None = conn.execute(
        'SELECT * FROM customers WHERE "Id" = ?', (customer_id,)
    ).fetchone()
    if row is None or int(row["Status"]) == DELETED:
        raise errors.not_found("Customer", customer_id)
    return row


def appointment_type(conn: sqlite3.Connection, type_id: int) -> AppointmentType:
    return _type_from_row(appointment_type_row(conn, type_id))


def grid_minutes(conn: sqlite3.Connection, agenda_id: int) -> int:
    return max(1, int(agenda_row(conn, agenda_id)["AlignGrid"] or 1))


def _applies(type_ids: str, type_id: int | None) -> bool:
    return type_id is None or not type_ids or type_id in parse_id_list(type_ids)


def extra_fields(conn: sqlite3.Connection, kind: str, type_id: int | None) -> list[FieldDef]:
    """Extra fields of `kind` (`Appointment`/`Registration`) that apply to a type."""
    rows = conn.execute(
        'SELECT "Key", "Label", "Required", "AppointmentTypeIds" FROM fields '
        'WHERE "Type" = ? AND "Generic" = 0 ORDER BY "Position", "Id"',
        (kind,),
    ).fetchall()
    found: dict[str, FieldDef] = {}
    for row in rows:
        if not _applies(str(row["AppointmentTypeIds"]), type_id):
            continue
        field = FieldDef(str(row["Key"]), str(row["Label"]), int(row["Required"]) == 1)
        if field.key not in found or field.required:
            found[field.key] = field
    return list(found.values())


def field_rows(
    conn: sqlite3.Connection, type_id: int | None, include_generic: bool
) -> list[sqlite3.Row]:
    """Rows for `getFields`: generic ones only when asked, type-specific ones when they apply."""
    rows = conn.execute('SELECT * FROM fields ORDER BY "Position", "Id"').fetchall()
    return [
        row
        for row in rows
        if (include_generic or not row["Generic"])
        and _applies(str(row["AppointmentTypeIds"]), type_id)
    ]
