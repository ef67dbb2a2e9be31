"""Seed data: the built-in demo practice, data files, database reuse, and the clocks."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from sandbox.booking import DEMO_API_KEY, DEMO_API_SECRET, BookingSandbox, DataError
from sandbox.booking.demo_data import (
    DEMO_AGENDA_ID,
    DEMO_APPOINTMENT_TYPE_IDS,
    DEMO_CUSTOMER_IDS,
    DEMO_RESOURCE_IDS,
    demo_data,
)
from sandbox.clock import ManualClock, OffsetClock, SystemClock
from tests.sandbox.testkit import START, Api, small_data


class TestDemoData:
    def test_ids_and_shapes(self, api: Api) -> None:
        agendas = api.items("getAgendas", "Agenda")
        assert [(a["Id"], a["IsDefault"], a["AlignGrid"]) for a in agendas] == [
            (str(DEMO_AGENDA_ID), "1", "5")
        ]
        assert [int(r["Id"]) for r in api.items("getResources", "Resource")] == list(
            DEMO_RESOURCE_IDS
        )
        types = api.items("getAppointmentTypes", "AppointmentType")
        assert [int(t["Id"]) for t in types] == list(DEMO_APPOINTMENT_TYPE_IDS)
        assert all(4 <= len(t["Id"]) <= 6 for t in types)
        assert sum(t["CanBeBookedByConsumer"] == "1" for t in types) == 2

    def test_customers_look_real(self, api: Api) -> None:
        customers = api.items("getCustomers", "Customer")
        assert [int(c["Id"]) for c in customers] == list(DEMO_CUSTOMER_IDS)
        assert all(re.fullmatch(r"\d{8}", c["Id"]) for c in customers)
        names = " ".join(c["FirstName"] for c in customers)
        for diacritic in ("Daniëlle", "Zoë", "Chloë", "Sébastien"):
            assert diacritic in names
        assert {"van den", "van der"} <= {c["Insertions"] for c in customers}
        mobiles = {c["MobilePhone"] for c in customers}
        assert {"06-41827365", "0652817346", "+31 6 2093 4418"} <= mobiles
        assert sum(1 for c in customers if not c["MobilePhone"] and not c["Phone"]) == 1
        assert [c["Taal"] for c in customers].count("en") == 1

    def test_appointments_are_upcoming_inside_opening_hours(self, api: Api) -> None:
        items = api.items("getAppointments", "Appointment", AgendaId=DEMO_AGENDA_ID)
        labels = {item["Label"] for item in items}
        assert labels == {"1", "2"}
        for item in items:
            start = datetime.fromisoformat(item["StartTime"])
            assert start.date() > START.date() and start.isoweekday() <= 5
            assert item["StartTime"][11:] >= "08:30:00" and item["BlockedTime"][11:] <= "17:00:00"

    def test_demo_follows_the_clock(self) -> None:
        clock = ManualClock(datetime(2027, 3, 5, 12, 0, tzinfo=UTC))  # a Friday
        api = Api(BookingSandbox(DEMO_API_KEY, DEMO_API_SECRET, clock=clock), clock)
        first = api.items("getAppointments", "Appointment", AgendaId=DEMO_AGENDA_ID)[0]
        assert first["StartTime"] == "2027-03-08 09:00:00"  # next open day is Monday
        assert api.sandbox.requires_confirmation is True


def test_data_file_state_survives_a_restart(tmp_path: Path, clock: ManualClock) -> None:
    path = str(tmp_path / "sandbox.sqlite3")
    first = BookingSandbox(DEMO_API_KEY, DEMO_API_SECRET, clock=clock, database=path)
    api = Api(first, clock)
    new_id = api.ok(
        "setCustomer", FirstName="Noor", LastName="Smit", Email="noor@example.com"
    ).findtext("Objects/Customer/Id")
    first.requires_confirmation = False
    first.close()
    clock.advance(timedelta(days=3))
    second = BookingSandbox(DEMO_API_KEY, DEMO_API_SECRET, clock=clock, database=path)
    api = Api(second, clock)
    assert api.ok("getCustomer", Id=new_id).findtext("Customer/FirstName") == "Noor"
    assert second.requires_confirmation is False
    assert len(second.outbox()) == 3  # not seeded twice
    second.close()


def test_custom_data_replaces_the_demo(small_api: Api) -> None:
    assert [a["Id"] for a in small_api.items("getAgendas", "Agenda")] == ["1"]
    assert small_api.sandbox.outbox() == []


def test_relative_and_absolute_dates(clock: ManualClock) -> None:
    data = small_data()
    data["Appointments"] = [
        {
            "AgendaId": 1,
            "AppointmentTypeId": 1001,
            "CustomerId": 501,
            "ResourceIds": [11],
            "Date": date_text,
            "StartTime": "09:00",
        }
        for date_text in ("+1", "+3", "-1", "2026-12-01", "+0")
    ]
    data["Blocks"] = [
        {"AgendaId": 1, "ResourceId": 12, "Date": "+2", "StartTime": "13:00", "EndTime": "14:00"}
    ]
    api = Api(BookingSandbox(DEMO_API_KEY, DEMO_API_SECRET, clock=clock, data=data), clock)
    items = api.items(
        "getAppointments", "Appointment", AgendaId=1, StartDate="2026-01-01", Limit=10
    )
    assert [i["StartTime"][:10] for i in items] == [
        "2026-10-22",
        "2026-10-26",
        "2026-10-20",
        "2026-12-01",
        "2026-10-21",
    ]
    assert [i["Id"] for i in items] == [str(n) for n in range(30000001, 30000006)]
    afternoon = api.items(
        "getBookableTimes", "BookableTime", AgendaId=1, AppointmentTypeId=1001, Date="2026-10-23"
    )
    assert {t["StartTime"] for t in afternoon if t["ResourceId"] == "12"} >= {"13:00", "13:30"}


def test_pending_seed_appointment_without_code_gets_one(clock: ManualClock) -> None:
    data = small_data()
    data["Appointments"] = [
        {
            "AgendaId": 1,
            "AppointmentTypeId": 1001,
            "CustomerId": 501,
            "Date": "+1",
            "StartTime": "09:00",
            "Label": 1,
        }
    ]
    booking = BookingSandbox(DEMO_API_KEY, DEMO_API_SECRET, clock=clock, data=data)
    [sent] = booking.outbox()
    assert sent["channel"] == "sms" and sent["recipient"] == "+31612345678"
    assert re.fullmatch(r"[A-Z2-9]{6}", str(sent["code"]))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(Agendas=[]), "at least one agenda"),
        (lambda d: d["Agendas"][0].pop("Id"), "Id is required"),
        (lambda d: d["Resources"][0].update(Status="on"), "Status must be an integer"),
        (lambda d: d["Fields"][0].update(Key="1 bad"), "Key"),
        (lambda d: d["Schedule"][0].update(Weekdays=[0]), "weekdays"),
        (lambda d: d["Schedule"][0].update(StartTime="9"), "hh:mm"),
        (
            lambda d: d.update(
                Appointments=[
                    {"AgendaId": 1, "AppointmentTypeId": 9, "Date": "+1", "StartTime": "09:00"}
                ]
            ),
            "AppointmentTypeId",
        ),
        (
            lambda d: d.update(
                Appointments=[
                    {
                        "AgendaId": 1,
                        "AppointmentTypeId": 1001,
                        "Date": "tomorrow",
                        "StartTime": "09:00",
                    }
                ]
            ),
            "Date",
        ),
        (lambda d: d["Customers"].append(dict(d["Customers"][0])), "rejected"),
    ],
)
def test_bad_data_is_rejected_with_a_reason(clock: ManualClock, change: Any, message: str) -> None:
    data = small_data()
    change(data)
    with pytest.raises(DataError, match=message):
        BookingSandbox(DEMO_API_KEY, DEMO_API_SECRET, clock=clock, data=data)


def test_demo_data_is_a_fresh_copy() -> None:
    first = demo_data()
    first["Agendas"].clear()
    assert demo_data()["Agendas"]


class TestClocks:
    def test_manual_clock(self) -> None:
        clock = ManualClock(datetime(2026, 10, 25, 3, 0, tzinfo=UTC))
        clock.advance(timedelta(minutes=90))
        assert clock.now() == datetime(2026, 10, 25, 4, 30, tzinfo=UTC)
        clock.set(datetime(2026, 10, 25, 2, 30, tzinfo=UTC) + timedelta(hours=1))
        assert clock.now().tzinfo is UTC
        with pytest.raises(ValueError):
            clock.set(datetime(2026, 10, 25, 3, 0))
        with pytest.raises(ValueError):
            ManualClock(datetime(2026, 10, 25, 3, 0))

    def test_system_and_offset_clocks(self) -> None:
        before = datetime.now(UTC)
        assert SystemClock().now() >= before
        clock = OffsetClock()
        clock.advance(timedelta(days=1))
        assert clock.now() - datetime.now(UTC) > timedelta(hours=23)
        target = datetime(2030, 1, 1, tzinfo=UTC)
        clock.set(target)
        assert abs(clock.now() - target) < timedelta(seconds=5)
        assert clock.now().date() == date(2030, 1, 1)
