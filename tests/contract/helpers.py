"""Small builders for contract tests: a customer, a bookable slot, a booking."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bridge.booking import BookingClient
from bridge.booking.models import Agenda, AppointmentType, BookableTime

_serial = itertools.count(1)


@dataclass(frozen=True)
class Slot:
    agenda: Agenda
    kind: AppointmentType
    time: BookableTime


def new_customer(api: BookingClient, **overrides: str) -> int:
    n = next(_serial)
    values = {
        "email": f"zoe.bakker{n}@example.nl",
        "first_name": "Zoë",
        "last_name": "Bakker",
        "mobile_phone": "06-12345678",
    }
    values.update(overrides)
    return api.set_customer(**values).id  # type: ignore[arg-type]


def bookable_slot(api: BookingClient, on_or_after: date, index: int = 0) -> Slot:
    agenda = next(a for a in api.get_agendas() if a.is_default)
    kind = next(k for k in api.get_appointment_types(agenda.id) if k.bookable_by_consumer)
    days = api.get_bookable_days(agenda.id, kind.id, on_or_after, on_or_after + timedelta(days=14))
    times = api.get_bookable_times(agenda.id, kind.id, days[0].date)
    return Slot(agenda, kind, times[index])


def required_extras(api: BookingClient, slot: Slot) -> dict[str, str]:
    fields = api.get_fields(slot.agenda.id, slot.kind.id)
    return {f.key: "via test" for f in fields if f.required and f.type.lower() == "appointment"}


def book(api: BookingClient, slot: Slot, customer_id: int) -> int:
    end = (
        datetime.combine(slot.time.date, slot.time.start_time)
        + timedelta(minutes=slot.kind.duration_minutes)
    ).time()
    return api.set_appointment(
        slot.agenda.id,
        customer_id,
        slot.kind.id,
        slot.time.date,
        slot.time.start_time,
        end,
        resource_id=slot.time.resource_id,
        extra_fields=required_extras(api, slot),
    ).id
