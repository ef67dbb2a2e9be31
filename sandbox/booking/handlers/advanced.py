"""The "1.1 Advanced" methods: single availability blocks and calculation-model settings."""

from __future__ import annotations

import json

from sandbox.booking import errors
from sandbox.booking.catalog import agenda_row, appointment_type_row, resource_row
from sandbox.booking.context import Context, Handler
from sandbox.booking.db import next_id
from sandbox.booking.localtime import format_date, format_time
from sandbox.booking.params import Params
from sandbox.booking.xmlwriter import Payload, Shape

CALCULATION_MODELS = (
    "specificTimes",
    "multiple",
    "limit",
    "combination",
    "complex",
    "travel",
    "connectingApps",
)


def add_block(ctx: Context, p: Params) -> Payload:
    agenda_id = p.require_int("AgendaId")
    agenda_row(ctx.conn, agenda_id)
    type_id = p.get_int("AppointmentType")
    if type_id is not None and type_id != -1:
        appointment_type_row(ctx.conn, type_id)
    else:
        type_id = None
    resources = p.id_list("ResourceId")
    if resources is not None and len(resources) != 1:
        raise errors.invalid("ResourceId", "a block belongs to at most one resource")
    resource_id = None if resources is None else resources[0]
    if resource_id is not None:
        resource_row(ctx.conn, resource_id)
    day = p.require_date("Date")
    start = p.require_time("StartTime")
    end = p.require_time("EndTime")
    if end <= start:
        raise errors.invalid("EndTime", "must be after StartTime")
    block_id = next_id(ctx.conn, "blocks")
    ctx.conn.execute(
        'INSERT INTO blocks ("Id", "AgendaId", "ResourceId", "AppointmentTypeId", "Date", '
        '"StartTime", "EndTime") VALUES (?, ?, ?, ?, ?, ?, ?)',
        (
            block_id,
            agenda_id,
            resource_id,
            type_id,
            format_date(day),
            format_time(start),
            format_time(end),
        ),
    )
    return Payload(Shape.OBJECTS, [("Block", [("Id", str(block_id))])])


def remove_block(ctx: Context, p: Params) -> Payload:
    agenda_id = p.require_int("AgendaId")
    agenda_row(ctx.conn, agenda_id)
    block_id = p.require_int("id")
    deleted = ctx.conn.execute(
        'DELETE FROM blocks WHERE "Id" = ? AND "AgendaId" = ?', (block_id, agenda_id)
    ).rowcount
    if not deleted:
        raise errors.not_found("Block", block_id)
    return Payload(Shape.STATUS)


def _model_key(ctx: Context, p: Params) -> tuple[int, str]:
    agenda_row(ctx.conn, p.require_int("AgendaId"))
    type_id = p.require_int("AppTypeId")
    appointment_type_row(ctx.conn, type_id)
    name = p.require_text("CalculationModel")
    if name not in CALCULATION_MODELS:
        raise errors.invalid("CalculationModel", "must be one of " + ", ".join(CALCULATION_MODELS))
    return type_id, name


def get_calculation_model(ctx: Context, p: Params) -> Payload:
    type_id, name = _model_key(ctx, p)
    row = ctx.conn.execute(
        'SELECT "Enabled", "Value" FROM calculation_models '
        'WHERE "AppointmentTypeId" = ? AND "Name" = ?',
        (type_id, name),
    ).fetchone()
    enabled, value = (0, "{}") if row is None else (int(row[0]), str(row[1]))
    model = ("CalculationModel", [("Name", name), ("Enabled", str(enabled)), ("Value", value)])
    return Payload(Shape.OBJECTS, [model])


def set_calculation_model(ctx: Context, p: Params) -> Payload:
    type_id, name = _model_key(ctx, p)
    value = p.require_text("Value")
    try:
        json.loads(value)
    except ValueError:
        raise errors.invalid("Value", "not valid JSON") from None
    current = ctx.conn.execute(
        'SELECT "Enabled" FROM calculation_models WHERE "AppointmentTypeId" = ? AND "Name" = ?',
        (type_id, name),
    ).fetchone()
    enabled = p.flag("Enabled", bool(current and current[0]))
    ctx.conn.execute(
        'INSERT INTO calculation_models ("AppointmentTypeId", "Name", "Enabled", "Value") '
        'VALUES (?, ?, ?, ?) ON CONFLICT ("AppointmentTypeId", "Name") '
        'DO UPDATE SET "Enabled" = excluded."Enabled", "Value" = excluded."Value"',
        (type_id, name, int(enabled), value),
    )
    return Payload(Shape.STATUS)


METHODS: dict[str, Handler] = {
    "CHAddBlock": add_block,
    "CHRemoveBlock": remove_block,
    "getCalculationModelSettings": get_calculation_model,
    "setCalculationModelSettings": set_calculation_model,
}
