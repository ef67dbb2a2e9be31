"""Records to typed models: types, time zones, extra fields, bad values."""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bridge.booking import decode
from bridge.booking.envelope import parse_envelope
from bridge.booking.errors import BookingProtocolError
from bridge.booking.models import Gender, Label, RecordStatus

AMS = ZoneInfo("Europe/Amsterdam")


def record(xml: str):  # type: ignore[no-untyped-def]
    body = f"<Response><Status><Status>success</Status></Status><Objects>{xml}</Objects></Response>"
    return parse_envelope(body.encode()).records[0]


APPOINTMENT = """<Appointment>
  <Id>501</Id><Name>Behandeling</Name><Description></Description>
  <StartTime>2026-10-25 02:30:00</StartTime><FinishTime>2026-10-25 03:00:00</FinishTime>
  <BlockedTime>2026-10-25 03:10:00</BlockedTime><Capacity>1</Capacity>
  <AppointmentTypeId>4711</AppointmentTypeId><CustomerId>10000001</CustomerId>
  <CustomerName>Zoë Bakker</CustomerName><Status>1</Status><Label>1</Label>
  <Resources><ResourceId>7</ResourceId><AssignedStartTime>2026-10-25 02:30:00</AssignedStartTime>
    <AssignedFinishTime>2026-10-25 03:00:00</AssignedFinishTime></Resources>
  <CreateTime>2026-10-20 09:00:00</CreateTime><UpdateTime>2026-10-21 10:15:30</UpdateTime>
  <Verwijzer>Huisarts Jansen</Verwijzer>
</Appointment>"""


def test_appointment_fields_and_enums() -> None:
    appt = decode.appointment(record(APPOINTMENT), AMS)
    assert appt.id == 501
    assert appt.label is Label.PENDING
    assert appt.status is RecordStatus.ENABLED
    assert appt.appointment_type_id == 4711 and appt.customer_id == 10000001
    assert appt.customer_name == "Zoë Bakker"
    assert appt.resources[0].resource_id == 7
    assert appt.extra == {"Verwijzer": "Huisarts Jansen"}
    assert appt.updated == datetime(2026, 10, 21, 10, 15, 30, tzinfo=AMS)


def test_local_times_are_amsterdam_and_aware() -> None:
    appt = decode.appointment(record(APPOINTMENT), AMS)
    assert appt.start.tzinfo is AMS
    # 25 October 2026 02:30 happens twice; the first (summer time) is meant.
    assert appt.start.utcoffset() is not None
    assert appt.start.isoformat() == "2026-10-25T02:30:00+02:00"


def test_empty_optional_ids_become_none() -> None:
    xml = APPOINTMENT.replace("<CustomerId>10000001</CustomerId>", "<CustomerId></CustomerId>")
    assert decode.appointment(record(xml), AMS).customer_id is None


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("<Id>501</Id>", "<Id>abc</Id>", "Appointment/Id"),
        ("<Id>501</Id>", "", "Appointment/Id"),
        ("<Label>1</Label>", "<Label>9</Label>", "Appointment/Label"),
        ("<StartTime>2026-10-25 02:30:00</StartTime>", "<StartTime>morgen</StartTime>",
         "Appointment/StartTime"),
    ],
)
def test_bad_required_values_name_the_field(old: str, new: str, field: str) -> None:
    with pytest.raises(BookingProtocolError, match=field):
        decode.appointment(record(APPOINTMENT.replace(old, new)), AMS)


def test_customer_with_extra_field_and_gender() -> None:
    customer = decode.customer(
        record(
            "<Customer><Id>10000002</Id><FirstName>Daniëlle</FirstName><Insertions>van der"
            "</Insertions><LastName>Berg</LastName><Gender>f</Gender><BirthDate>1990-02-28"
            "</BirthDate><MobilePhone>06-12345678</MobilePhone><Status>1</Status>"
            "<Taal>en</Taal></Customer>"
        ),
        AMS,
    )
    assert customer.full_name == "Daniëlle van der Berg"
    assert customer.gender is Gender.FEMALE
    assert customer.extra == {"Taal": "en"}
    assert customer.mobile_phone == "06-12345678"


def test_appointment_type_from_a_real_shaped_answer() -> None:
    kind = decode.appointment_type(
        record(
            "<AppointmentType><Id>1812</Id><Name>nieuwe aansluiting</Name><Status>1</Status>"
            "<SchedulingType>resource</SchedulingType><PriceType>3</PriceType><Price>12.50"
            "</Price><Duration>30</Duration><MinTimeBeforeAppointment>1"
            "</MinTimeBeforeAppointment><MaxTimeBeforeAppointment>4320"
            "</MaxTimeBeforeAppointment><Buffer>0</Buffer><CanBeBookedByConsumer>1"
            "</CanBeBookedByConsumer><ExplicitEndDate></ExplicitEndDate><CategoryId>4693"
            "</CategoryId><Capacity>1</Capacity><ResourceId>621,622</ResourceId>"
            "</AppointmentType>"
        ),
        AMS,
    )
    assert kind.duration_minutes == 30 and kind.bookable_by_consumer
    assert kind.price == Decimal("12.50")
    assert kind.resource_ids == (621, 622)
    assert kind.explicit_end_date is None


def test_bookable_time_uses_the_epoch_timestamp() -> None:
    slot = decode.bookable_time(
        record(
            "<BookableTime><Date>2021-02-11</Date><StartTime>09:00</StartTime>"
            "<LabelTime>09:00</LabelTime><EndTime>09:30</EndTime><Timestamp>1613030400"
            "</Timestamp><AppointmentTypeId>42</AppointmentTypeId><ResourceId>7</ResourceId>"
            "</BookableTime>"
        ),
        AMS,
    )
    assert slot.start == datetime(2021, 2, 11, 9, 0, tzinfo=AMS)
    assert slot.start_time == time(9, 0) and slot.end_time == time(9, 30)


def test_requires_confirmation_shapes() -> None:
    assert decode.confirmation_required(
        record("<Confirmation><Required>1</Required></Confirmation>"), AMS
    )
    assert not decode.confirmation_required(
        record("<Confirmation><Required>0</Required></Confirmation>"), AMS
    )
