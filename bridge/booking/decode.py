"""Turning envelope `Record`s into typed models (upstream-api.md §5).

Required identity fields (an `Id`, an appointment's times and labels) must be
present and well-formed, or the record is refused with a `BookingProtocolError`
naming the field. Everything optional may be empty. Elements this module does not
know are kept in the model's `extra` mapping instead of being dropped.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from bridge.booking import wire
from bridge.booking.envelope import Record
from bridge.booking.errors import BookingProtocolError
from bridge.booking.models import (
    Agenda,
    Appointment,
    AppointmentType,
    AssignedResource,
    BookableBlock,
    BookableDay,
    BookableTime,
    CalculationModelSettings,
    Customer,
    Field,
    Gender,
    Label,
    RecordStatus,
    Resource,
    SaveResult,
)
from bridge.booking.record_reader import (
    RecordReader,
    enum_value,
    identity,
    int_list,
    moment_from_stamp,
)


def _resources(record: Record, tz: ZoneInfo) -> tuple[AssignedResource, ...]:
    found: list[AssignedResource] = []
    for item in record.nested.get("Resources", ()):
        # Accept <Resources><ResourceId/>…</Resources> repeated, or a wrapper of items.
        entries = (item,) if "ResourceId" in item.values else tuple(
            child for children in item.nested.values() for child in children
        )
        for entry in entries:
            reader = RecordReader(entry, tz)
            found.append(
                AssignedResource(
                    resource_id=reader.required("ResourceId", wire.parse_int),
                    start=reader.moment_or_none("AssignedStartTime"),
                    finish=reader.moment_or_none("AssignedFinishTime"),
                )
            )
    return tuple(found)


def appointment(record: Record, tz: ZoneInfo) -> Appointment:
    r = RecordReader(record, tz)
    return Appointment(
        id=r.required("Id", wire.parse_int),
        start=r.moment("StartTime"),
        finish=r.moment("FinishTime"),
        label=r.required("Label", lambda t, f: enum_value(Label, t, f)),
        status=r.required("Status", lambda t, f: enum_value(RecordStatus, t, f)),
        name=r.text("Name"),
        description=r.text("Description"),
        blocked_until=r.moment_or_none("BlockedTime"),
        capacity=r.int_or("Capacity", 1),
        appointment_type_id=r.optional("AppointmentTypeId", wire.parse_int),
        customer_id=r.optional("CustomerId", wire.parse_int),
        customer_name=r.text("CustomerName"),
        resources=_resources(record, tz),
        created=r.moment_or_none("CreateTime"),
        updated=r.moment_or_none("UpdateTime"),
        extra=r.extra(),
    )


def _gender(text: str, field: str) -> Gender:
    try:
        return Gender(text.strip().upper())
    except ValueError:
        raise BookingProtocolError(f"field {field}: unknown gender {text!r}") from None


def customer(record: Record, tz: ZoneInfo) -> Customer:
    r = RecordReader(record, tz)
    status = r.optional("Status", lambda t, f: enum_value(RecordStatus, t, f))
    return Customer(
        id=r.required("Id", wire.parse_int),
        status=status or RecordStatus.ENABLED,
        first_name=r.text("FirstName"),
        last_name=r.text("LastName"),
        insertions=r.text("Insertions"),
        email=r.text("Email"),
        phone=r.text("Phone"),
        mobile_phone=r.text("MobilePhone"),
        account_number=r.text("AccountNumber"),
        birth_date=r.optional("BirthDate", wire.parse_date),
        gender=r.optional("Gender", _gender),
        street=r.text("Street"),
        house_nr=r.text("HouseNr"),
        house_nr_addition=r.text("HouseNrAddition"),
        zip_code=r.text("ZipCode"),
        city=r.text("City"),
        country=r.text("Country"),
        created=r.moment_or_none("CreateTime"),
        updated=r.moment_or_none("UpdateTime"),
        single_signon=r.text("SingleSignon"),
        extra=r.extra(),
    )


def agenda(record: Record, tz: ZoneInfo) -> Agenda:
    r = RecordReader(record, tz)
    return Agenda(
        id=r.required("Id", wire.parse_int),
        name=r.text("Name"),
        date_format=r.text("DateFormat"),
        time_format=r.text("TimeFormat"),
        align_grid=r.int_or("AlignGrid", 0),
        is_default=r.flag("IsDefault"),
    )


def appointment_type(record: Record, tz: ZoneInfo) -> AppointmentType:
    r = RecordReader(record, tz)
    return AppointmentType(
        id=r.required("Id", wire.parse_int),
        name=r.text("Name"),
        description=r.text("Description"),
        status=r.int_or("Status", 1),
        scheduling_type=r.text("SchedulingType"),
        price_type=r.optional("PriceType", wire.parse_int),
        price=r.optional("Price", wire.parse_decimal) or Decimal("0"),
        duration_minutes=r.int_or("Duration", 0),
        min_hours_before=r.int_or("MinTimeBeforeAppointment", 0),
        max_hours_before=r.int_or("MaxTimeBeforeAppointment", 0),
        buffer_minutes=r.int_or("Buffer", 0),
        bookable_by_consumer=r.flag("CanBeBookedByConsumer"),
        explicit_end_date=r.optional("ExplicitEndDate", wire.parse_date),
        category=r.text("Category"),
        category_id=r.optional("CategoryId", wire.parse_int),
        capacity=r.int_or("Capacity", 1),
        resource_ids=r.optional("ResourceId", int_list) or (),
        extra=r.extra(),
    )


def resource(record: Record, tz: ZoneInfo) -> Resource:
    r = RecordReader(record, tz)
    return Resource(
        id=r.required("Id", wire.parse_int),
        name=r.text("Name"),
        code=r.text("Code"),
        description=r.text("Description"),
        phone=r.text("Phone"),
        mobile_phone=r.text("MobilePhone"),
        email=r.text("Email"),
        status=r.int_or("Status", 1),
        label=r.text("Label"),
    )


def field(record: Record, tz: ZoneInfo) -> Field:
    r = RecordReader(record, tz)
    return Field(
        id=r.required("Id", wire.parse_int),
        key=r.required("Key", identity),
        label=r.text("Label"),
        type=r.text("Type"),
        required=r.flag("Required"),
    )


def bookable_day(record: Record, tz: ZoneInfo) -> BookableDay:
    return BookableDay(date=RecordReader(record, tz).required("Date", wire.parse_date))


def bookable_time(record: Record, tz: ZoneInfo) -> BookableTime:
    r = RecordReader(record, tz)
    day: date = r.required("Date", wire.parse_date)
    start_time: time = r.required("StartTime", wire.parse_time)
    stamp = r.optional("Timestamp", moment_from_stamp(tz))
    start = stamp if stamp is not None else wire.localize(
        datetime.combine(day, start_time), tz, f"{record.tag}/StartTime")
    return BookableTime(
        date=day,
        start_time=start_time,
        end_time=r.required("EndTime", wire.parse_time),
        start=start,
        label_time=r.text("LabelTime"),
        appointment_type_id=r.optional("AppointmentTypeId", wire.parse_int),
        resource_id=r.optional("ResourceId", wire.parse_int),
    )


def bookable_block(record: Record, tz: ZoneInfo) -> BookableBlock:
    r = RecordReader(record, tz)
    return BookableBlock(
        date=r.required("Date", wire.parse_date),
        start_time=r.required("StartTime", wire.parse_time),
        end_time=r.required("EndTime", wire.parse_time),
        appointment_type_id=r.optional("AppointmentTypeId", wire.parse_int),
        resource_id=r.optional("ResourceId", wire.parse_int),
    )


def save_result(record: Record, tz: ZoneInfo) -> SaveResult:
    r = RecordReader(record, tz)
    return SaveResult(id=r.required("Id", wire.parse_int), status=r.text("Status"))


def block_id(record: Record, tz: ZoneInfo) -> int:
    return RecordReader(record, tz).required("Id", wire.parse_int)


def confirmed(record: Record, tz: ZoneInfo) -> bool:
    return RecordReader(record, tz).flag("Confirmed")


def confirmation_required(record: Record, tz: ZoneInfo) -> bool:
    r = RecordReader(record, tz)
    # Shape not documented (§5.12): read Required, else a bare value.
    return r.flag("Required") if "Required" in record.values else r.flag("Confirmation")


def calculation_model(record: Record, tz: ZoneInfo) -> CalculationModelSettings:
    r = RecordReader(record, tz)
    return CalculationModelSettings(
        name=r.text("Name"), enabled=r.flag("Enabled"), value_json=r.text("Value")
    )
