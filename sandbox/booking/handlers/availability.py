"""`getBookableDays`, `getBookableTimes` and `getBookableBlocks`."""

from __future__ import annotations

from datetime import date, timedelta

from sandbox.booking import errors
from sandbox.booking.bookability import NO_MAXIMUM_DAYS, Planner, Slot
from sandbox.booking.catalog import appointment_type, grid_minutes, resource_row
from sandbox.booking.context import Context, Handler
from sandbox.booking.localtime import format_date, format_time, to_epoch
from sandbox.booking.params import Params
from sandbox.booking.xmlwriter import Node, Payload, Shape


def _planner(ctx: Context, p: Params) -> Planner:
    agenda_id = p.require_int("AgendaId")
    grid = grid_minutes(ctx.conn, agenda_id)
    kind = appointment_type(ctx.conn, p.require_int("AppointmentTypeId"))
    resources = p.id_list("ResourceId")
    for resource_id in resources or ():
        resource_row(ctx.conn, resource_id)
    return Planner(ctx.conn, agenda_id, grid, kind, ctx.now, resources)


def _end_date(p: Params, name: str, first: date, default: date) -> date:
    last = p.get_date(name)
    if last is None:
        return default
    if last < first:
        raise errors.invalid(name, "is before the start date")
    return last


def _resource_text(slot: Slot) -> str:
    return "" if slot.resource_id is None else str(slot.resource_id)


def get_bookable_days(ctx: Context, p: Params) -> Payload:
    planner = _planner(ctx, p)
    first = p.get_date("StartDate") or ctx.today
    last = _end_date(p, "EndDate", first, first + timedelta(days=NO_MAXIMUM_DAYS))
    if not planner.type.consumer_bookable:
        return Payload(Shape.OBJECTS)
    items: list[Node] = [
        (
            "BookableDay",
            [("Date", format_date(day)), ("Month", f"{day.month:02d}"), ("Day", f"{day.day:02d}")],
        )
        for day in planner.days(first, last)
    ]
    return Payload(Shape.OBJECTS, items)


def get_bookable_times(ctx: Context, p: Params) -> Payload:
    planner = _planner(ctx, p)
    first = p.require_date("Date")
    last = _end_date(p, "EndDate", first, first)
    if not planner.type.consumer_bookable:
        return Payload(Shape.OBJECTS)
    type_id = str(planner.type.id)
    items: list[Node] = [
        (
            "BookableTime",
            [
                ("Date", format_date(slot.start.date())),
                ("StartTime", format_time(slot.start)),
                ("LabelTime", format_time(slot.start)),
                ("EndTime", format_time(slot.end)),
                ("Timestamp", str(to_epoch(slot.start))),
                ("AppointmentTypeId", type_id),
                ("ResourceId", _resource_text(slot)),
            ],
        )
        for slot in planner.times(first, last)
    ]
    return Payload(Shape.OBJECTS, items)


def get_bookable_blocks(ctx: Context, p: Params) -> Payload:
    planner = _planner(ctx, p)
    first = p.require_date("Date")
    last = _end_date(p, "EndDate", first, first)
    consumer_only = p.first_flag(("ConsumerBookable", "CustomerBookable"), False)
    if consumer_only and not planner.type.consumer_bookable:
        return Payload(Shape.OBJECTS)
    type_id = str(planner.type.id)
    items: list[Node] = [
        (
            "BookableBlock",
            [
                ("Date", format_date(slot.start.date())),
                ("StartTime", format_time(slot.start)),
                ("EndTime", format_time(slot.end)),
                ("AppointmentTypeId", type_id),
                ("ResourceId", _resource_text(slot)),
            ],
        )
        for slot in planner.blocks(first, last)
    ]
    return Payload(Shape.OBJECTS, items)


METHODS: dict[str, Handler] = {
    "getBookableDays": get_bookable_days,
    "getBookableTimes": get_bookable_times,
    "getBookableBlocks": get_bookable_blocks,
}
