"""Bookable times and days: the grid, schedules and breaks, appointments with their
buffers, lead times, capacity, date ranges."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from tests.sandbox.testkit import (
    AGENDA,
    BEHANDELING,
    INTAKE,
    JOOST,
    MARIEKE,
    Api,
    bookable_days,
    bookable_times,
)

AMS = ZoneInfo("Europe/Amsterdam")


def test_bookable_time_fields(api: Api) -> None:
    first = api.items(
        "getBookableTimes",
        "BookableTime",
        AgendaId=AGENDA,
        AppointmentTypeId=INTAKE,
        Date="2026-10-27",
    )[0]
    assert first == {
        "Date": "2026-10-27",
        "StartTime": "08:30",
        "LabelTime": "08:30",
        "EndTime": "09:15",
        "Timestamp": str(int(datetime(2026, 10, 27, 8, 30, tzinfo=AMS).timestamp())),
        "AppointmentTypeId": str(INTAKE),
        "ResourceId": str(MARIEKE),
    }


def test_times_follow_the_grid_schedule_and_lunch_break(api: Api) -> None:
    slots = bookable_times(
        api, AppointmentTypeId=BEHANDELING, Date="2026-10-26", ResourceId=MARIEKE
    )
    starts = [s[1] for s in slots]
    assert starts[0] == "08:30"
    assert starts[1] == "08:35"  # AlignGrid 5
    assert "12:00" in starts and "12:05" not in starts  # 30 min must end by 12:30
    assert "13:00" in starts and starts[-1] == "16:30"
    assert {s[2] for s in slots} == {str(MARIEKE)}


def test_wednesday_afternoon_marieke_is_off(api: Api) -> None:
    slots = bookable_times(api, AppointmentTypeId=BEHANDELING, Date="2026-10-28")
    afternoon = {s[2] for s in slots if s[1] >= "13:00"}
    assert afternoon == {str(JOOST)}


def test_any_resource_lists_each_resource(api: Api) -> None:
    every = bookable_times(api, AppointmentTypeId=BEHANDELING, Date="2026-10-26")
    also = bookable_times(api, AppointmentTypeId=BEHANDELING, Date="2026-10-26", ResourceId=-1)
    empty = bookable_times(api, AppointmentTypeId=BEHANDELING, Date="2026-10-26", ResourceId="")
    assert every == also == empty
    assert ("2026-10-26", "08:30", str(MARIEKE)) in every
    assert ("2026-10-26", "08:30", str(JOOST)) in every


def test_existing_appointments_and_buffers_are_excluded(api: Api) -> None:
    api.clock.set(datetime(2026, 10, 21, 0, 0, tzinfo=UTC))
    slots = bookable_times(
        api, AppointmentTypeId=BEHANDELING, Date="2026-10-22", ResourceId=MARIEKE
    )
    starts = [s[1] for s in slots]
    # Intake 10:00-10:45, blocked until 11:00: a 30 min slot may end at 10:00 at the latest.
    assert "09:30" in starts and "09:35" not in starts
    assert "10:55" not in starts and "11:00" in starts


def test_min_lead_time(api: Api) -> None:
    # Now is Wednesday 10:00; Behandeling needs 2 h, Intake 24 h.
    today = [s[1] for s in bookable_times(api, AppointmentTypeId=BEHANDELING, Date="2026-10-21")]
    assert sorted(set(today))[:2] == ["12:00", "13:00"]  # 12:00 is exactly 2 h ahead
    assert bookable_times(api, AppointmentTypeId=INTAKE, Date="2026-10-21") == []
    tomorrow = [s[1] for s in bookable_times(api, AppointmentTypeId=INTAKE, Date="2026-10-22")]
    assert tomorrow[0] == "10:00"


def test_max_lead_time(api: Api) -> None:
    # 1440 h = 60 days ahead: until Sunday 20 December 10:00.
    assert bookable_days(
        api, AppointmentTypeId=INTAKE, StartDate="2026-12-17", EndDate="2027-01-31"
    ) == [
        "2026-12-17",
        "2026-12-18",
    ]


def test_bookable_days(api: Api) -> None:
    found = bookable_days(
        api, AppointmentTypeId=INTAKE, StartDate="2026-10-19", EndDate="2026-10-31"
    )
    assert found == [
        "2026-10-22",
        "2026-10-23",
        "2026-10-26",
        "2026-10-27",
        "2026-10-28",
        "2026-10-29",
        "2026-10-30",
    ]
    item = api.items(
        "getBookableDays",
        "BookableDay",
        AgendaId=AGENDA,
        AppointmentTypeId=INTAKE,
        StartDate="2026-11-02",
        EndDate="2026-11-02",
    )
    assert item == [{"Date": "2026-11-02", "Month": "11", "Day": "02"}]


def test_fully_booked_day_is_not_bookable(small_api: Api) -> None:
    small_api.clock.set(datetime(2026, 10, 25, 12, 0, tzinfo=UTC))
    base = {
        "AgendaId": 1,
        "CustomerId": 501,
        "AppointmentTypeId": 1001,
        "Date": "2026-10-26",
        "RequiredFieldsCheck": 0,
    }
    for start in ("09:00", "09:45", "10:30", "11:15"):  # 30 min + 15 buffer each
        small_api.ok("setAppointment", StartTime=start, **base)
        small_api.ok("setAppointment", StartTime=start, **base)
    dates = small_api.items(
        "getBookableDays",
        "BookableDay",
        AgendaId=1,
        AppointmentTypeId=1001,
        StartDate="2026-10-26",
        EndDate="2026-10-27",
    )
    assert [d["Date"] for d in dates] == ["2026-10-27"]


def test_capacity_type_allows_concurrent_bookings(small_api: Api) -> None:
    base = {"AgendaId": 1, "CustomerId": 501, "AppointmentTypeId": 1002, "Date": "2026-10-26"}
    for _ in range(3):
        small_api.ok("setAppointment", StartTime="18:00", **base)
    assert small_api.fail("setAppointment", StartTime="18:00", **base)[0] == "SIM-409"
    slots = small_api.items(
        "getBookableTimes", "BookableTime", AgendaId=1, AppointmentTypeId=1002, Date="2026-10-26"
    )
    assert [s["StartTime"] for s in slots] == ["19:00"]
    assert slots[0]["ResourceId"] == ""


def test_end_date_range_and_order(api: Api) -> None:
    slots = bookable_times(api, AppointmentTypeId=INTAKE, Date="2026-10-23", EndDate="2026-10-26")
    assert {s[0] for s in slots} == {"2026-10-23", "2026-10-26"}
    assert slots == sorted(slots, key=lambda s: (s[0], s[1], s[2]))
    code, message = api.fail(
        "getBookableTimes",
        AgendaId=AGENDA,
        AppointmentTypeId=INTAKE,
        Date="2026-10-23",
        EndDate="2026-10-22",
    )
    assert code == "SIM-400" and "EndDate" in message
