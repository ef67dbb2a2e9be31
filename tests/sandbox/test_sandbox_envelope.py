"""Envelopes (protocol notes §3): Status block, payload shapes, escaping, message format."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from defusedxml import ElementTree

from sandbox.booking.xmlwriter import Payload, Shape, Stats, StatusLine, escape_text, success
from tests.sandbox.testkit import AGENDA, BEHANDELING, INTAKE, MARIEKE, ZOE, Api, flat


def test_status_block_layout(api: Api) -> None:
    root = api.ok("getAgendas")
    status = root[0]
    assert root.tag == "Response"
    assert status.tag == "Status"
    assert [child.tag for child in status] == ["APIVersion", "Date", "Timestamp", "Status"]
    assert status.findtext("APIVersion") == "1.0"
    assert status.findtext("Date") == "2026-10-21 10:00:00"  # CEST, UTC+2
    assert status.findtext("Timestamp") == str(int(api.clock.now().timestamp()))


def test_status_date_is_amsterdam_winter_time_after_dst(api: Api) -> None:
    api.clock.set(datetime(2026, 10, 26, 8, 0, tzinfo=UTC))
    assert api.ok("getAgendas").findtext("Status/Date") == "2026-10-26 09:00:00"


@pytest.mark.parametrize(
    ("method", "params", "tag"),
    [
        ("getAgenda", {"Id": AGENDA}, "Agenda"),
        ("getResource", {"Id": MARIEKE}, "Resource"),
        ("getCustomer", {"Id": ZOE}, "Customer"),
        ("getAppointment", {"Id": 30012002}, "Appointment"),
        ("loginCustomer", {"Username": "zoe.dejong", "Password": "Welkom2024"}, "Customer"),
    ],
)
def test_single_objects_at_root(api: Api, method: str, params: dict[str, object], tag: str) -> None:
    root = api.ok(method, **params)
    assert [child.tag for child in root] == ["Status", tag]


@pytest.mark.parametrize(
    ("method", "params", "tag"),
    [
        ("getAgendas", {}, "Agenda"),
        ("getAppointmentTypes", {}, "AppointmentType"),
        ("getAppointmentType", {"Id": INTAKE}, "AppointmentType"),
        ("getResources", {}, "Resource"),
        ("getFields", {"AgendaId": AGENDA}, "Field"),
        ("requiresConfirmation", {}, "Confirmation"),
        ("getAppointments", {"AgendaId": AGENDA}, "Appointment"),
        ("getCustomers", {}, "Customer"),
    ],
)
def test_lists_in_objects(api: Api, method: str, params: dict[str, object], tag: str) -> None:
    root = api.ok(method, **params)
    assert [child.tag for child in root] == ["Status", "Objects"]
    objects = root.find("Objects")
    assert objects is not None and len(objects) >= 1
    assert {child.tag for child in objects} == {tag}


def test_status_only_methods(api: Api) -> None:
    root = api.ok("cancelAppointment", Id=30012008)
    assert [child.tag for child in root] == ["Status"]


def test_empty_list_omits_objects(api: Api) -> None:
    root = api.ok("getAppointments", AgendaId=AGENDA, StartDate="2030-01-01", EndDate="2030-01-02")
    assert [child.tag for child in root] == ["Status"]
    assert root.findtext("Status/Stats/TotalRecords") == "0"


def test_agenda_fields_match_the_real_sample(api: Api) -> None:
    agenda = api.ok("getAgenda", Id=AGENDA).find("Agenda")
    assert agenda is not None
    assert [c.tag for c in agenda] == [
        "Id",
        "Name",
        "DateFormat",
        "TimeFormat",
        "AlignGrid",
        "IsDefault",
    ]


def test_appointment_type_fields_match_the_real_sample(api: Api) -> None:
    kind = api.ok("getAppointmentType", Id=BEHANDELING).find("Objects/AppointmentType")
    assert kind is not None
    assert [c.tag for c in kind] == [
        "Id",
        "Name",
        "Description",
        "Status",
        "SchedulingType",
        "PriceType",
        "Price",
        "Duration",
        "MinTimeBeforeAppointment",
        "MaxTimeBeforeAppointment",
        "Buffer",
        "CanBeBookedByConsumer",
        "ExplicitEndDate",
        "Category",
        "CategoryId",
        "Capacity",
        "ResourceId",
    ]
    assert flat(kind)["Price"] == "39.50"


def test_resource_fields_match_the_real_sample(api: Api) -> None:
    resource = api.ok("getResource", Id=MARIEKE).find("Resource")
    assert resource is not None
    assert [c.tag for c in resource] == [
        "Id",
        "Name",
        "Code",
        "Description",
        "Phone",
        "MobilePhone",
        "Email",
        "Status",
        "Label",
    ]


def test_appointment_fields(api: Api) -> None:
    appointment = api.ok("getAppointment", Id=30012003).find("Appointment")
    assert appointment is not None
    assert [c.tag for c in appointment] == [
        "Id",
        "Name",
        "Description",
        "StartTime",
        "FinishTime",
        "BlockedTime",
        "Capacity",
        "AppointmentTypeId",
        "CustomerId",
        "CustomerName",
        "Status",
        "Label",
        "Resources",
        "CreateTime",
        "UpdateTime",
        "Klacht",
    ]
    values = flat(appointment)
    assert values["CustomerName"] == "Sébastien Dubois"
    assert values["StartTime"] == "2026-10-22 10:00:00"
    assert values["FinishTime"] == "2026-10-22 10:45:00"
    assert values["BlockedTime"] == "2026-10-22 11:00:00"
    assert values["Label"] == "1"
    assert flat(appointment.find("Resources")) == {  # type: ignore[arg-type]
        "ResourceId": str(MARIEKE),
        "AssignedStartTime": "2026-10-22 10:00:00",
        "AssignedFinishTime": "2026-10-22 10:45:00",
    }


def test_awkward_text_round_trips(api: Api) -> None:
    name = "Daniëlle & Zoë <test> \"quoted\" 'single' ]]> \t tab"
    result = api.ok(
        "setCustomer", FirstName=name, LastName="Ünal-O'Brien", Email="dz@example.com", City="a\nb"
    )
    customer_id = result.findtext("Objects/Customer/Id")
    customer = flat(api.ok("getCustomer", Id=customer_id).find("Customer"))  # type: ignore[arg-type]
    assert customer["FirstName"] == name
    assert customer["LastName"] == "Ünal-O'Brien"
    assert customer["City"] == "a\nb"


def test_control_characters_cannot_break_the_document() -> None:
    assert escape_text("a\x00b\x1fc\r") == "ab" + "c&#13;"


def test_writer_puts_stats_last_in_status() -> None:
    body = success(
        StatusLine("2026-10-21 10:00:00", 1792569600),
        Payload(Shape.OBJECTS, [("Thing", [("Id", "1")])], Stats(10, 0, 1, 1)),
    )
    root = ElementTree.fromstring(body.encode())
    assert [c.tag for c in root.find("Status")] == [
        "APIVersion",
        "Date",
        "Timestamp",
        "Status",
        "Stats",
    ]


def test_validation_message_is_summary_then_field_lines(api: Api) -> None:
    code, message = api.fail(
        "setCustomer", FirstName="A", LastName="B", Email="nope", MobilePhone="12"
    )
    assert code == "SIM-422"
    lines = message.split("\n")
    assert lines[0] == "Customer could not be saved"
    assert "Email: not a valid e-mail address" in lines[1:]
    assert "MobilePhone: not a valid phone number" in lines[1:]
