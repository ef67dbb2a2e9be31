"""Bookable days, times and blocks; single availability blocks; DST."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sandbox.booking.availability import Interval, Lane, SlotRules, free_blocks, slot_starts
from tests.sandbox.testkit import AGENDA, BEHANDELING, HUISBEZOEK, INTAKE, JOOST, MARIEKE, Api

AMS = ZoneInfo("Europe/Amsterdam")


def times(api: Api, **params: object) -> list[tuple[str, str, str]]:
    items = api.items("getBookableTimes", "BookableTime", **{"AgendaId": AGENDA, **params})
    return [(i["Date"], i["StartTime"], i["ResourceId"]) for i in items]


def days(api: Api, **params: object) -> list[str]:
    items = api.items("getBookableDays", "BookableDay", **{"AgendaId": AGENDA, **params})
    return [i["Date"] for i in items]


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
    slots = times(api, AppointmentTypeId=BEHANDELING, Date="2026-10-26", ResourceId=MARIEKE)
    starts = [s[1] for s in slots]
    assert starts[0] == "08:30"
    assert starts[1] == "08:35"  # AlignGrid 5
    assert "12:00" in starts and "12:05" not in starts  # 30 min must end by 12:30
    assert "13:00" in starts and starts[-1] == "16:30"
    assert {s[2] for s in slots} == {str(MARIEKE)}


def test_wednesday_afternoon_marieke_is_off(api: Api) -> None:
    slots = times(api, AppointmentTypeId=BEHANDELING, Date="2026-10-28")
    afternoon = {s[2] for s in slots if s[1] >= "13:00"}
    assert afternoon == {str(JOOST)}


def test_any_resource_lists_each_resource(api: Api) -> None:
    every = times(api, AppointmentTypeId=BEHANDELING, Date="2026-10-26")
    also = times(api, AppointmentTypeId=BEHANDELING, Date="2026-10-26", ResourceId=-1)
    empty = times(api, AppointmentTypeId=BEHANDELING, Date="2026-10-26", ResourceId="")
    assert every == also == empty
    assert ("2026-10-26", "08:30", str(MARIEKE)) in every
    assert ("2026-10-26", "08:30", str(JOOST)) in every


def test_existing_appointments_and_buffers_are_excluded(api: Api) -> None:
    api.clock.set(datetime(2026, 10, 21, 0, 0, tzinfo=UTC))
    slots = times(api, AppointmentTypeId=BEHANDELING, Date="2026-10-22", ResourceId=MARIEKE)
    starts = [s[1] for s in slots]
    # Intake 10:00-10:45, blocked until 11:00: a 30 min slot may end at 10:00 at the latest.
    assert "09:30" in starts and "09:35" not in starts
    assert "10:55" not in starts and "11:00" in starts


def test_min_lead_time(api: Api) -> None:
    # Now is Wednesday 10:00; Behandeling needs 2 h, Intake 24 h.
    today = [s[1] for s in times(api, AppointmentTypeId=BEHANDELING, Date="2026-10-21")]
    assert sorted(set(today))[:2] == ["12:00", "13:00"]  # 12:00 is exactly 2 h ahead
    assert times(api, AppointmentTypeId=INTAKE, Date="2026-10-21") == []
    tomorrow = [s[1] for s in times(api, AppointmentTypeId=INTAKE, Date="2026-10-22")]
    assert tomorrow[0] == "10:00"


def test_max_lead_time(api: Api) -> None:
    # 1440 h = 60 days ahead: until Sunday 20 December 10:00.
    assert days(api, AppointmentTypeId=INTAKE, StartDate="2026-12-17", EndDate="2027-01-31") == [
        "2026-12-17",
        "2026-12-18",
    ]


def test_bookable_days(api: Api) -> None:
    found = days(api, AppointmentTypeId=INTAKE, StartDate="2026-10-19", EndDate="2026-10-31")
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


def test_not_consumer_bookable_type_has_no_times_but_has_blocks(api: Api) -> None:
    assert times(api, AppointmentTypeId=HUISBEZOEK, Date="2026-10-26") == []
    assert (
        days(api, AppointmentTypeId=HUISBEZOEK, StartDate="2026-10-26", EndDate="2026-10-30") == []
    )
    base = {"AgendaId": AGENDA, "AppointmentTypeId": HUISBEZOEK, "Date": "2026-10-26"}
    assert api.items("getBookableBlocks", "BookableBlock", **base)
    assert api.items("getBookableBlocks", "BookableBlock", ConsumerBookable=1, **base) == []


def test_bookable_blocks(api: Api) -> None:
    blocks = api.items(
        "getBookableBlocks",
        "BookableBlock",
        AgendaId=AGENDA,
        AppointmentTypeId=BEHANDELING,
        Date="2026-10-22",
        ResourceId=JOOST,
    )
    assert [(b["StartTime"], b["EndTime"]) for b in blocks] == [
        ("08:30", "09:00"),
        ("09:30", "12:30"),
        ("13:00", "14:30"),
        ("15:00", "17:00"),
    ]
    assert blocks[0]["ResourceId"] == str(JOOST)
    assert blocks[0]["AppointmentTypeId"] == str(BEHANDELING)


def test_block_adds_and_removes_availability(api: Api) -> None:
    saturday = {"AppointmentTypeId": BEHANDELING, "Date": "2026-10-24"}
    assert times(api, **saturday) == []
    root = api.ok(
        "CHAddBlock",
        AgendaId=AGENDA,
        ResourceId=JOOST,
        AppointmentType=BEHANDELING,
        Date="2026-10-24",
        StartTime="10:00",
        EndTime="11:00",
    )
    block_id = root.findtext("Objects/Block/Id")
    assert [s[1] for s in times(api, **saturday)] == [
        "10:00",
        "10:05",
        "10:10",
        "10:15",
        "10:20",
        "10:25",
        "10:30",
    ]
    assert times(api, AppointmentTypeId=INTAKE, Date="2026-10-24") == []  # other type
    api.ok("CHRemoveBlock", AgendaId=AGENDA, id=block_id)
    assert times(api, **saturday) == []
    assert api.fail("CHRemoveBlock", AgendaId=AGENDA, id=block_id)[0] == "SIM-404"


def test_block_without_resource_opens_every_resource(api: Api) -> None:
    api.ok("CHAddBlock", AgendaId=AGENDA, Date="2026-10-24", StartTime="10:00", EndTime="10:30")
    slots = times(api, AppointmentTypeId=BEHANDELING, Date="2026-10-24")
    assert slots == [("2026-10-24", "10:00", str(MARIEKE)), ("2026-10-24", "10:00", str(JOOST))]


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
    slots = times(api, AppointmentTypeId=INTAKE, Date="2026-10-23", EndDate="2026-10-26")
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


class TestDaylightSaving:
    """Summer time ends on Sunday 25 October 2026 at 03:00 CEST (01:00 UTC)."""

    def test_timestamps_before_and_after_the_change(self, api: Api) -> None:
        def first(date: str) -> dict[str, str]:
            return api.items(
                "getBookableTimes",
                "BookableTime",
                AgendaId=AGENDA,
                AppointmentTypeId=BEHANDELING,
                Date=date,
            )[0]

        friday, monday = first("2026-10-23"), first("2026-10-26")
        assert friday["StartTime"] == monday["StartTime"] == "08:30"
        assert int(friday["Timestamp"]) == int(
            datetime(2026, 10, 23, 6, 30, tzinfo=UTC).timestamp()
        )
        assert int(monday["Timestamp"]) == int(
            datetime(2026, 10, 26, 7, 30, tzinfo=UTC).timestamp()
        )

    def test_lead_time_across_the_change(self, api: Api) -> None:
        # Saturday 23:00 UTC = Sunday 01:00 CEST; 30 hours later is Monday 06:00 UTC = 07:00 CET.
        api.clock.set(datetime(2026, 10, 24, 23, 0, tzinfo=UTC))
        assert api.ok("getAgendas").findtext("Status/Date") == "2026-10-25 01:00:00"
        api.clock.advance(timedelta(hours=30) - timedelta(hours=24))
        # now Sunday 05:00 UTC = 06:00 CET; Intake needs 24 h: Monday 06:00 CET onwards.
        slots = times(api, AppointmentTypeId=INTAKE, Date="2026-10-26")
        assert slots[0][1] == "08:30"
        api.clock.set(datetime(2026, 10, 25, 8, 0, tzinfo=UTC))  # Sunday 09:00 CET
        slots = times(api, AppointmentTypeId=INTAKE, Date="2026-10-26")
        assert slots[0][1] == "09:00"

    def test_booking_on_the_monday_after(self, api: Api) -> None:
        api.clock.set(datetime(2026, 10, 25, 12, 0, tzinfo=UTC))
        root = api.ok(
            "setAppointment",
            AgendaId=AGENDA,
            CustomerId=10482318,
            AppointmentTypeId=INTAKE,
            Date="2026-10-26",
            StartTime="13:00",
        )
        new_id = root.findtext("Objects/Appointment/Id")
        saved = api.ok("getAppointment", Id=new_id).find("Appointment")
        assert saved is not None
        assert saved.findtext("StartTime") == "2026-10-26 13:00:00"
        assert saved.findtext("CreateTime") == "2026-10-25 13:00:00"  # CET


class TestPureRules:
    RULES = SlotRules(
        duration=timedelta(minutes=30),
        buffer=timedelta(minutes=10),
        grid_minutes=15,
        capacity=1,
        earliest=datetime(2026, 1, 1, tzinfo=UTC),
        latest=None,
    )

    def lane(self, *busy: tuple[int, int]) -> Lane:
        day = datetime(2026, 3, 2)
        return Lane(
            day.date(),
            1,
            windows=[Interval(day.replace(hour=9), day.replace(hour=11))],
            busy=[
                Interval(
                    day.replace(hour=h, minute=m),
                    day.replace(hour=h, minute=m) + timedelta(minutes=40),
                )
                for h, m in busy
            ],
        )

    def test_slots_on_grid(self) -> None:
        starts = [s.strftime("%H:%M") for s in slot_starts(self.lane(), self.RULES)]
        assert starts == ["09:00", "09:15", "09:30", "09:45", "10:00", "10:15", "10:30"]

    def test_slot_with_buffer_must_not_reach_busy(self) -> None:
        starts = [s.strftime("%H:%M") for s in slot_starts(self.lane((10, 0)), self.RULES)]
        # 09:30 + 30 min + 10 min buffer reaches 10:10; busy until 10:40 blocks the rest.
        assert starts == ["09:00", "09:15"]

    def test_free_blocks(self) -> None:
        blocks = free_blocks(self.lane((10, 0)), self.RULES)
        assert [(b.start.strftime("%H:%M"), b.end.strftime("%H:%M")) for b in blocks] == [
            ("09:00", "10:00"),
        ]
