"""Turning envelope `Record`s into typed models (upstream-api.md §5).

Required identity fields (an `Id`, an appointment's times and labels) must be
present and well-formed, or the record is refused with a `BookingProtocolError`
naming the field. Everything optional may be empty. Elements this module does not
know are kept in the model's `extra` mapping instead of being dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal
from typing import TypeVar
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

T = TypeVar("T")


class _Reader:
    """Reads the fields of one record, remembering which were used."""

    def __init__(self, record: Record, tz: ZoneInfo) -> None:
        self.record = record
        self.tz = tz
        self.used: set[str] = set()

    def _name(self, key: str) -> str:
        return f"{self.record.tag}/{key}"

    def raw(self, key: str) -> str:
        self.used.add(key)
        return self.record.get(key)

    def required(self, key: str, parse: Callable[[str, str], T]) -> T:
        text = self.raw(key)
        if not text:
            raise BookingProtocolError(f"field {self._name(key)} is missing or empty")
        return parse(text, self._name(key))

    def optional(self, key: str, parse: Callable[[str, str], T]) -> T | None:
        text = self.raw(key)
        return parse(text, self._name(key)) if text else None

    def text(self, key: str) -> str:
        return self.raw(key)

    def int_or(self, key: str, default: int) -> int:
        value = self.optional(key, wire.parse_int)
        return default if value is None else value

    def flag(self, key: str) -> bool:
        return wire.parse_bool(self.raw(key), self._name(key))

    def moment(self, key: str) -> datetime:
        return wire.parse_datetime(self.required(key, _identity), self._name(key), self.tz)

    def moment_or_none(self, key: str) -> datetime | None:
        text = self.raw(key)
        return wire.parse_datetime(text, self._name(key), self.tz) if text else None

    def extra(self) -> dict[str, str]:
        return {k: v for k, v in self.record.values.items() if k not in self.used}


def _identity(text: str, _field: str) -> str:
    return text


def _int_list(text: str, field: str) -> tuple[int, ...]:
    return tuple(wire.parse_int(part, field) for part in text.split(",") if part.strip())


def _enum_value(enum: Callable[[int], T], text: str, field: str) -> T:
    number = wire.parse_int(text, field)
    try:
        return enum(number)
    except ValueError:
        raise BookingProtocolError(f"field {field}: unknown value {number}") from None


def _resources(record: Record, tz: ZoneInfo) -> tuple[AssignedResource, ...]:
    found: list[AssignedResource] = []
    for item in record.nested.get("Resources", ()):
        # Accept <Resources><ResourceId/>…</Resources> repeated, or a wrapper of items.
        entries = (item,) if "ResourceId" in item.values else tuple(
            child for children in item.nested.values() for child in children
        )
        for entry in entries:
            reader = _Reader(entry, tz)
            found.append(
                AssignedResource(
                    resource_id=reader.required("ResourceId", wire.parse_int),
                    start=reader.moment_or_none("AssignedStartTime"),
                    finish=reader.moment_or_none("AssignedFinishTime"),
                )
            )
    return tuple(found)


def appointment(record: Record, tz: ZoneInfo) -> Appointment:
    r = _Reader(record, tz)
    return Appointment(
        id=r.required("Id", wire.parse_int),
        start=r.moment("StartTime"),
        finish=r.moment("FinishTime"),
        label=r.required("Label", lambda t, f: _enum_value(Label, t, f)),
        status=r.required("Status", lambda t, f: _enum_value(RecordStatus, t, f)),
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
    r = _Reader(record, tz)
    status = r.optional("Status", lambda t, f: _enum_value(RecordStatus, t, f))
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
    r = _Reader(record, tz)
    return Agenda(
        id=r.required("Id", wire.parse_int),
        name=r.text("Name"),
        date_format=r.text("DateFormat"),
        time_format=r.text("TimeFormat"),
        align_grid=r.int_or("AlignGrid", 0),
        is_default=r.flag("IsDefault"),
    )


def appointment_type(record: Record, tz: ZoneInfo) -> AppointmentType:
    r = _Reader(record, tz)
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
        resource_ids=r.optional("ResourceId", _int_list) or (),
        extra=r.extra(),
    )


def resource(record: Record, tz: ZoneInfo) -> Resource:
    r = _Reader(record, tz)
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
    r = _Reader(record, tz)
    return Field(
        id=r.required("Id", wire.parse_int),
        key=r.required("Key", _identity),
        label=r.text("Label"),
        type=r.text("Type"),
        required=r.flag("Required"),
    )


def bookable_day(record: Record, tz: ZoneInfo) -> BookableDay:
    return BookableDay(date=_Reader(record, tz).required("Date", wire.parse_date))


def _moment_from_stamp(tz: ZoneInfo) -> Callable[[str, str], datetime]:
    """Parses Unix seconds into an aware datetime in `tz`; out of range is refused."""

    def parse(text: str, field: str) -> datetime:
        stamp = wire.parse_int(text, field)
        try:
            return datetime.fromtimestamp(stamp, tz)
        except (OverflowError, OSError, ValueError):  # beyond what datetime can hold
            raise BookingProtocolError(
                f"field {field}: {text.strip()[:24]!r} is not a Unix time"
            ) from None

    return parse


def bookable_time(record: Record, tz: ZoneInfo) -> BookableTime:
    r = _Reader(record, tz)
    day: date = r.required("Date", wire.parse_date)
    start_time: time = r.required("StartTime", wire.parse_time)
    stamp = r.optional("Timestamp", _moment_from_stamp(tz))
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
    r = _Reader(record, tz)
    return BookableBlock(
        date=r.required("Date", wire.parse_date),
        start_time=r.required("StartTime", wire.parse_time),
        end_time=r.required("EndTime", wire.parse_time),
        appointment_type_id=r.optional("AppointmentTypeId", wire.parse_int),
        resource_id=r.optional("ResourceId", wire.parse_int),
    )


def save_result(record: Record, tz: ZoneInfo) -> SaveResult:
    r = _Reader(record, tz)
    return SaveResult(id=r.required("Id", wire.parse_int), status=r.text("Status"))


def block_id(record: Record, tz: ZoneInfo) -> int:
    return _Reader(record, tz).required("Id", wire.parse_int)


def confirmed(record: Record, tz: ZoneInfo) -> bool:
    return _Reader(record, tz).flag("Confirmed")


def confirmation_required(record: Record, tz: ZoneInfo) -> bool:
    r = _Reader(record, tz)
    # Shape not documented (§5.12): read Required, else a bare value.
    return r.flag("Required") if "Required" in record.values else r.flag("Confirmation")


def calculation_model(record: Record, tz: ZoneInfo) -> CalculationModelSettings:
    r = _Reader(record, tz)
    return CalculationModelSettings(
        name=r.text("Name"), enabled=r.flag("Enabled"), value_json=r.text("Value")
    )
