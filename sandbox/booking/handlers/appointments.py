"""Reading and changing existing appointments: list, get, cancel, confirm, remove."""

from __future__ import annotations

from datetime import datetime, timedelta

from sandbox.booking import errors
from sandbox.booking.catalog import agenda_row, appointment_type
from sandbox.booking.context import Context, Handler
from sandbox.booking.handlers.listing import page_of_ids
from sandbox.booking.labels import APPROVED, CANCELLED, FINISHED, IN_PROGRESS, PENDING
from sandbox.booking.localtime import (
    add_years,
    format_datetime,
    parse_datetime,
    to_epoch,
    to_utc,
)
from sandbox.booking.params import Params
from sandbox.booking.records import appointment_nodes, appointment_row
from sandbox.booking.xmlwriter import Payload, Shape, Stats

DEFAULT_LIMIT = 100


def _filters(ctx: Context, p: Params) -> tuple[str, list[object]]:
    agenda_id = p.require_int("AgendaId")
    agenda_row(ctx.conn, agenda_id)
    first = p.get_date("StartDate") or ctx.today
    last = p.get_date("EndDate") or add_years(max(first, ctx.today), 1)
    clauses = ['"AgendaId" = ?', '"StartTime" >= ?', '"StartTime" < ?']
    args: list[object] = [
        agenda_id,
        format_datetime(datetime.combine(first, datetime.min.time())),
        format_datetime(datetime.combine(last + timedelta(days=1), datetime.min.time())),
    ]
    if not p.first_flag(("IncludeCancelled", "IncludeCanceled"), False):
        clauses.append('"Label" != ?')
        args.append(CANCELLED)
    for name, column in (("UpdatedAfter", "UpdateTs"), ("CreatedAfter", "CreateTs")):
        moment = p.get_datetime(name)
        if moment is not None:
            clauses.append(f'"{column}" > ?')
            args.append(to_epoch(moment))
    for name in ("CustomerId", "AppointmentTypeId"):
        value = p.get_int(name)
        if value is not None:
            clauses.append(f'"{name}" = ?')
            args.append(value)
    resources = p.id_list("ResourceId")
    if resources is not None:
        marks = ",".join("?" * len(resources))
        clauses.append(
            f'"Id" IN (SELECT "AppointmentId" FROM appointment_resources '
            f'WHERE "ResourceId" IN ({marks}))'
        )
        args.extend(resources)
    return " AND ".join(clauses), args


def get_appointments(ctx: Context, p: Params) -> Payload:
    where, args = _filters(ctx, p)
    limit = p.count("Limit", DEFAULT_LIMIT, minimum=1)
    offset = p.count("Offset", 0, minimum=0)
    ids, total = page_of_ids(ctx, "appointments", where, args, limit, offset)
    items = appointment_nodes(ctx.conn, ids)
    return Payload(Shape.OBJECTS, items, Stats(limit, offset, len(items), total))


def get_appointment(ctx: Context, p: Params) -> Payload:
    appointment_id = p.require_int("Id")
    appointment_row(ctx.conn, appointment_id)
    return Payload(Shape.ROOT, appointment_nodes(ctx.conn, [appointment_id]))


def _start_utc(text: object) -> datetime:
    start = parse_datetime(str(text))
    if start is None:
        raise ValueError(f"stored StartTime {text!r} is malformed")
    return to_utc(start)


def cancel_appointment(ctx: Context, p: Params) -> Payload:
    appointment_id = p.require_int("Id")
    mode = p.choice("Mode", ("customer", "company"), "customer")
    p.choice("Confirmations", ("0", "1", "2", "3"), "0")
    dry_run = p.flag("DryRun", False)
    row = appointment_row(ctx.conn, appointment_id)
    if int(row["Label"]) == CANCELLED:
        raise errors.refused(f"Appointment {appointment_id} is already cancelled")
    if mode == "customer":
        start = _start_utc(row["StartTime"])
        if int(row["Label"]) in (FINISHED, IN_PROGRESS) or start <= ctx.now:
            raise errors.refused(f"Appointment {appointment_id} has already started")
        hours = appointment_type(ctx.conn, int(row["AppointmentTypeId"])).min_hours_before
        if start - timedelta(hours=hours) < ctx.now:
            raise errors.refused(
                f"Too late to cancel appointment {appointment_id}: it can be cancelled "
                f"up to {hours} hours before the start"
            )
    if not dry_run:
        ctx.conn.execute(
            'UPDATE appointments SET "Label" = ?, "UpdateTs" = ? WHERE "Id" = ?',
            (CANCELLED, ctx.epoch, appointment_id),
        )
    return Payload(Shape.STATUS)


def confirm_appointment(ctx: Context, p: Params) -> Payload:
    appointment_id = p.require_int("id")
    code = p.require_text("ConfirmationCode").strip().upper()
    row = appointment_row(ctx.conn, appointment_id)
    label = int(row["Label"])
    matches = bool(row["ConfirmationCode"]) and code == str(row["ConfirmationCode"]).upper()
    confirmed = matches and label in (PENDING, APPROVED)
    if confirmed and label == PENDING:
        ctx.conn.execute(
            'UPDATE appointments SET "Label" = ?, "UpdateTs" = ? WHERE "Id" = ?',
            (APPROVED, ctx.epoch, appointment_id),
        )
    result = ("Confirmation", [("Confirmed", "1" if confirmed else "0")])
    return Payload(Shape.OBJECTS, [result])


def remove_appointment(ctx: Context, p: Params) -> Payload:
    appointment_id = p.require_int("Id")
    appointment_row(ctx.conn, appointment_id)
    ctx.conn.execute('DELETE FROM appointments WHERE "Id" = ?', (appointment_id,))
    return Payload(Shape.STATUS)


METHODS: dict[str, Handler] = {
    "getAppointments": get_appointments,
    "getAppointment": get_appointment,
    "cancelAppointment": cancel_appointment,
    "confirmAppointment": confirm_appointment,
    "removeAppointment": remove_appointment,
}
