"""Bookable blocks, and single availability blocks (CHAddBlock, CHRemoveBlock) that open
times outside the schedule."""

from __future__ import annotations

from tests.sandbox.testkit import (
    AGENDA,
    BEHANDELING,
    HUISBEZOEK,
    INTAKE,
    JOOST,
    MARIEKE,
    Api,
    bookable_days,
    bookable_times,
)


def test_not_consumer_bookable_type_has_no_times_but_has_blocks(api: Api) -> None:
    assert bookable_times(api, AppointmentTypeId=HUISBEZOEK, Date="2026-10-26") == []
    assert (
        bookable_days(
            api, AppointmentTypeId=HUISBEZOEK, StartDate="2026-10-26", EndDate="2026-10-30"
        )
        == []
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
    assert bookable_times(api, **saturday) == []
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
    assert [s[1] for s in bookable_times(api, **saturday)] == [
        "10:00",
        "10:05",
        "10:10",
        "10:15",
        "10:20",
        "10:25",
        "10:30",
    ]
    assert bookable_times(api, AppointmentTypeId=INTAKE, Date="2026-10-24") == []  # other type
    api.ok("CHRemoveBlock", AgendaId=AGENDA, id=block_id)
    assert bookable_times(api, **saturday) == []
    assert api.fail("CHRemoveBlock", AgendaId=AGENDA, id=block_id)[0] == "SIM-404"


def test_block_without_resource_opens_every_resource(api: Api) -> None:
    api.ok("CHAddBlock", AgendaId=AGENDA, Date="2026-10-24", StartTime="10:00", EndTime="10:30")
    slots = bookable_times(api, AppointmentTypeId=BEHANDELING, Date="2026-10-24")
    assert slots == [("2026-10-24", "10:00", str(MARIEKE)), ("2026-10-24", "10:00", str(JOOST))]
