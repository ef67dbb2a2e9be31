"""`setAppointment`: creating appointments (consumer or customer mode) and editing them.

Consumer mode is what a booking widget does: only a slot that `getBookableTimes` would
list, for a type consumers may book, and only new appointments. Customer mode is the
company's own back office: any time, any length, and edits of existing appointments.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sandbox.booking import errors
from sandbox.booking.bookability import Planner
from sandbox.booking.catalog import (
    AppointmentType,
    agenda_row,
    appointment_type,
    customer_row,
    extra_fields,
    grid_minutes,
    missing_fields,
    resource_row,
)
from sandbox.booking.confirmation import new_code, send_code
from sandbox.booking.context import Context, Handler, requires_confirmation
from sandbox.booking.db import next_id
from sandbox.booking.labels import APPROVED, CANCELLED, ENABLED, PENDING
from sandbox.booking.localtime import format_datetime
from sandbox.booking.params import Params
from sandbox.booking.records import appointment_row
from sandbox.booking.xmlwriter import Payload, Shape

CONSUMER, CUSTOMER = "consumer", "customer"


@dataclass(frozen=True)
class Placement:
    """Where and for whom an appointment goes, as read from the parameters."""

    agenda_id: int
    customer: sqlite3.Row
    start: datetime
    finish: datetime | None


def _placement(ctx: Context, p: Params) -> Placement:
    agenda_id = p.require_int("AgendaId")
    agenda_row(ctx.conn, agenda_id)
    customer = customer_row(ctx.conn, p.require_int("CustomerId"))
    day = p.require_date("Date")
    start = datetime.combine(day, p.require_time("StartTime"))
    end = p.get_time("EndTime")
    finish = None if end is None else datetime.combine(day, end)
    if finish is not None and finish <= start:
        raise errors.invalid("EndTime", "must be after StartTime")
    return Placement(agenda_id, customer, start, finish)


def _extras(ctx: Context, p: Params, type_id: int, current: dict[str, str]) -> dict[str, str]:
    """Extra-field values after this call; checks required ones unless told not to."""
    fields = extra_fields(ctx.conn, "Appointment", type_id)
    values = dict(current)
    values.update(p.pick(field.key for field in fields))
    if p.flag("RequiredFieldsCheck", True):
        problems = missing_fields(fields, values)
        if problems:
            raise errors.validation_failed("Appointment could not be saved", problems)
    return values


def _consumer_resource(
    ctx: Context, p: Params, kind: AppointmentType, where: Placement
) -> int | None:
    if not kind.consumer_bookable:
        raise errors.refused(f"Appointment type {kind.id} cannot be booked by consumers")
    if int(where.customer["Status"]) != ENABLED:
        raise errors.refused(f"Customer {where.customer['Id']} is disabled")
    if where.finish is not None and where.finish != where.start + kind.duration:
        raise errors.invalid(
            "EndTime", "can only differ from the type's duration when BookingMode=customer"
        )
    planner = _planner(ctx, p, kind, where)
    day = where.start.date()
    for slot in planner.times(day, day):
        if slot.start == where.start:
            return slot.resource_id
    raise errors.refused(
        f"{format_datetime(where.start)[:16]} is not a bookable time for appointment type {kind.id}"
    )


def _planner(ctx: Context, p: Params, kind: AppointmentType, where: Placement) -> Planner:
    resources = p.id_list("ResourceId")
    for resource_id in resources or ():
        resource_row(ctx.conn, resource_id)
    grid = grid_minutes(ctx.conn, where.agenda_id)
    return Planner(ctx.conn, where.agenda_id, grid, kind, ctx.now, resources)


def _company_resources(
    ctx: Context, p: Params, kind: AppointmentType, where: Placement, finish: datetime
) -> list[int]:
    """Customer mode: the first free candidate, else the first named one, else none."""
    planner = _planner(ctx, p, kind, where)
    wanted = p.id_list("ResourceId") or []
    if kind.uses_capacity:
        return wanted[:1]
    return planner.free_resources(where.start, finish)[:1] or wanted[:1]


@dataclass(frozen=True)
class Draft:
    """A new appointment, fully decided, ready to store."""

    kind: AppointmentType
    where: Placement
    finish: datetime
    resources: Sequence[int]
    label: int
    name: str
    description: str
    extra: dict[str, str]


def _insert(ctx: Context, draft: Draft) -> int:
    appointment_id = next_id(ctx.conn, "appointments")
    code = new_code() if draft.label == PENDING else ""
    start, finish = draft.where.start, draft.finish
    ctx.conn.execute(
        'INSERT INTO appointments ("Id", "AgendaId", "Name", "Description", "StartTime", '
        '"FinishTime", "BlockedTime", "Capacity", "AppointmentTypeId", "CustomerId", "Status", '
        '"Label", "ConfirmationCode", "Extra", "CreateTs", "UpdateTs") '
        "VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            appointment_id,
            draft.where.agenda_id,
            draft.name,
            draft.description,
            format_datetime(start),
            format_datetime(finish),
            format_datetime(finish + draft.kind.buffer),
            draft.kind.id,
            int(draft.where.customer["Id"]),
            ENABLED,
            draft.label,
            code,
            json.dumps(draft.extra),
            ctx.epoch,
            ctx.epoch,
        ),
    )
    _assign(ctx.conn, appointment_id, draft.resources, start, finish)
    if code:
        send_code(ctx.conn, appointment_id, draft.where.customer, code, ctx.now)
    return appointment_id


def _assign(
    conn: sqlite3.Connection,
    appointment_id: int,
    resources: Sequence[int],
    start: datetime,
    finish: datetime,
) -> None:
    conn.executemany(
        'INSERT INTO appointment_resources ("AppointmentId", "ResourceId", "AssignedStartTime", '
        '"AssignedFinishTime") VALUES (?, ?, ?, ?)',
        [(appointment_id, r, format_datetime(start), format_datetime(finish)) for r in resources],
    )


def _create(ctx: Context, p: Params, mode: str) -> int:
    kind = appointment_type(ctx.conn, p.require_int("AppointmentTypeId"))
    where = _placement(ctx, p)
    extra = _extras(ctx, p, kind.id, {})
    if mode == CONSUMER:
        resource = _consumer_resource(ctx, p, kind, where)
        resources = [] if resource is None else [resource]
        finish = where.start + kind.duration
        label = PENDING if requires_confirmation(ctx.conn) else APPROVED
    else:
        finish = where.finish or where.start + kind.duration
        resources = _company_resources(ctx, p, kind, where, finish)
        label = APPROVED
    name = p.text("Name") or kind.name
    draft = Draft(kind, where, finish, resources, label, name, p.text("Description"), extra)
    return _insert(ctx, draft)


def _edit(ctx: Context, p: Params, appointment_id: int) -> int:
    row = appointment_row(ctx.conn, appointment_id)
    if int(row["Label"]) == CANCELLED:
        raise errors.refused(f"Appointment {appointment_id} is cancelled and cannot be changed")
    kind = appointment_type(ctx.conn, int(row["AppointmentTypeId"]))
    where = _placement(ctx, p)
    finish = where.finish or where.start + kind.duration
    extra = _extras(ctx, p, kind.id, json.loads(row["Extra"] or "{}"))
    name = p.get("Name")
    description = str(row["Description"])
    if p.has("Description"):
        description = "\n".join(part for part in (description, p.text("Description")) if part)
    ctx.conn.execute(
        'UPDATE appointments SET "AgendaId" = ?, "CustomerId" = ?, "StartTime" = ?, '
        '"FinishTime" = ?, "BlockedTime" = ?, "Name" = ?, "Description" = ?, "Extra" = ?, '
        '"UpdateTs" = ? WHERE "Id" = ?',
        (
            where.agenda_id,
            int(where.customer["Id"]),
            format_datetime(where.start),
            format_datetime(finish),
            format_datetime(finish + kind.buffer),
            str(row["Name"]) if name is None else name,
            description,
            json.dumps(extra),
            ctx.epoch,
            appointment_id,
        ),
    )
    ctx.conn.execute(
        'UPDATE appointment_resources SET "AssignedStartTime" = ?, "AssignedFinishTime" = ? '
        'WHERE "AppointmentId" = ?',
        (format_datetime(where.start), format_datetime(finish), appointment_id),
    )
    return appointment_id


def set_appointment(ctx: Context, p: Params) -> Payload:
    mode = p.choice("BookingMode", (CONSUMER, CUSTOMER), CONSUMER)
    existing = p.get_int("Id")
    if existing is not None and mode != CUSTOMER:
        raise errors.refused(
            "An existing appointment can only be changed with BookingMode=customer"
        )
    appointment_id = _create(ctx, p, mode) if existing is None else _edit(ctx, p, existing)
    row = appointment_row(ctx.conn, appointment_id)
    result = ("Appointment", [("Id", str(appointment_id)), ("Status", str(row["Status"]))])
    return Payload(Shape.OBJECTS, [result])


METHODS: dict[str, Handler] = {"setAppointment": set_appointment}
