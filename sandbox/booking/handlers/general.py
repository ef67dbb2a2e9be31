"""The "Algemeen" methods: account configuration that clients read before booking."""

from __future__ import annotations

from sandbox.booking.catalog import (
    agenda_row,
    appointment_type_row,
    field_rows,
    resource_row,
)
from sandbox.booking.context import Context, Handler, requires_confirmation
from sandbox.booking.params import Params
from sandbox.booking.records import (
    agenda_node,
    appointment_type_node,
    field_node,
    resource_node,
)
from sandbox.booking.xmlwriter import Payload, Shape


def get_agendas(ctx: Context, p: Params) -> Payload:
    rows = ctx.conn.execute('SELECT * FROM agendas ORDER BY "Id"').fetchall()
    return Payload(Shape.OBJECTS, [agenda_node(row) for row in rows])


def get_agenda(ctx: Context, p: Params) -> Payload:
    return Payload(Shape.ROOT, [agenda_node(agenda_row(ctx.conn, p.require_int("Id")))])


def get_appointment_types(ctx: Context, p: Params) -> Payload:
    agenda_id = p.get_int("AgendaId")
    if agenda_id is not None:
        agenda_row(ctx.conn, agenda_id)
    rows = ctx.conn.execute('SELECT * FROM appointment_types ORDER BY "Id"').fetchall()
    return Payload(Shape.OBJECTS, [appointment_type_node(row) for row in rows])


def get_appointment_type(ctx: Context, p: Params) -> Payload:
    row = appointment_type_row(ctx.conn, p.require_int("Id"))
    return Payload(Shape.OBJECTS, [appointment_type_node(row)])


def get_resources(ctx: Context, p: Params) -> Payload:
    agenda_id = p.get_int("AgendaId")
    if agenda_id is not None:
        agenda_row(ctx.conn, agenda_id)
    rows = ctx.conn.execute('SELECT * FROM resources ORDER BY "Id"').fetchall()
    return Payload(Shape.OBJECTS, [resource_node(row) for row in rows])


def get_resource(ctx: Context, p: Params) -> Payload:
    return Payload(Shape.ROOT, [resource_node(resource_row(ctx.conn, p.require_int("Id")))])


def get_fields(ctx: Context, p: Params) -> Payload:
    agenda_row(ctx.conn, p.require_int("AgendaId"))
    type_id = p.get_int("AppointmentTypeId")
    if type_id is not None:
        appointment_type_row(ctx.conn, type_id)
    rows = field_rows(ctx.conn, type_id, p.flag("GenericFields", False))
    return Payload(Shape.OBJECTS, [field_node(row) for row in rows])


def get_requires_confirmation(ctx: Context, p: Params) -> Payload:
    required = "1" if requires_confirmation(ctx.conn) else "0"
    return Payload(Shape.OBJECTS, [("Confirmation", [("Required", required)])])


METHODS: dict[str, Handler] = {
    "getAgendas": get_agendas,
    "getAgenda": get_agenda,
    "getAppointmentTypes": get_appointment_types,
    "getAppointmentType": get_appointment_type,
    "getResources": get_resources,
    "getResource": get_resource,
    "getFields": get_fields,
    "requiresConfirmation": get_requires_confirmation,
}
