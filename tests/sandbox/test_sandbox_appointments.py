"""Listing, reading, cancelling, confirming and removing appointments."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.sandbox.testkit import AGENDA, BEHANDELING, HENK, JOOST, MARIEKE, SEBASTIEN, ZOE, Api

DEMO_UPCOMING = [30012002, 30012003, 30012004, 30012005, 30012006, 30012007, 30012008]


def ids(api: Api, **params: object) -> list[int]:
    items = api.items("getAppointments", "Appointment", AgendaId=AGENDA, **params)
    return [int(item["Id"]) for item in items]


def test_default_range_is_today_to_a_year_ahead(api: Api) -> None:
    assert ids(api) == DEMO_UPCOMING  # not yesterday's, not the cancelled one


def test_date_range_is_inclusive_by_start_date(api: Api) -> None:
    assert ids(api, StartDate="2026-10-22", EndDate="2026-10-22") == [30012002, 30012003, 30012004]
    assert ids(api, StartDate="2026-10-20", EndDate="2026-10-20") == [30012001]


def test_include_cancelled_in_both_spellings(api: Api) -> None:
    assert 30012009 in ids(api, IncludeCancelled=1)
    assert 30012009 in ids(api, IncludeCanceled=1)
    assert 30012009 not in ids(api, IncludeCancelled=0)


def test_filters(api: Api) -> None:
    assert ids(api, CustomerId=ZOE) == [30012002]
    assert ids(api, AppointmentTypeId=BEHANDELING, ResourceId=MARIEKE) == [30012005, 30012008]
    assert ids(api, ResourceId=JOOST) == [30012002, 30012004, 30012006, 30012007]
    assert ids(api, ResourceId=-1) == DEMO_UPCOMING


def test_paging_and_stats(api: Api) -> None:
    seen: list[int] = []
    offset = 0
    while True:
        root = api.ok("getAppointments", AgendaId=AGENDA, Limit=3, Offset=offset)
        stats = {c.tag: c.text for c in root.find("Status/Stats")}  # type: ignore[union-attr]
        page = [int(x.text or 0) for x in root.findall("Objects/Appointment/Id")]
        assert stats == {
            "Limit": "3",
            "Offset": str(offset),
            "Records": str(len(page)),
            "TotalRecords": str(len(DEMO_UPCOMING)),
        }
        seen += page
        if len(page) < 3:
            break
        offset += 3
    assert seen == DEMO_UPCOMING


def test_default_limit_is_100(api: Api) -> None:
    assert api.ok("getAppointments", AgendaId=AGENDA).findtext("Status/Stats/Limit") == "100"


def test_updated_after_is_strict_and_tracks_changes(api: Api) -> None:
    seeded_at = "2026-10-21 10:00:00"
    assert ids(api, UpdatedAfter=seeded_at) == []
    assert ids(api, UpdatedAfter="2026-10-21 09:59:59") == DEMO_UPCOMING
    api.clock.advance(timedelta(minutes=5))
    api.ok("cancelAppointment", Id=30012008)
    assert ids(api, UpdatedAfter=seeded_at) == []  # hidden: cancelled
    assert ids(api, UpdatedAfter=seeded_at, IncludeCancelled=1) == [30012008]
    item = api.items(
        "getAppointments",
        "Appointment",
        AgendaId=AGENDA,
        UpdatedAfter=seeded_at,
        IncludeCancelled=1,
    )[0]
    assert item["UpdateTime"] == "2026-10-21 10:05:00"
    assert item["CreateTime"] == "2026-10-14 10:00:00"  # seeded as booked a week earlier


def test_created_after(api: Api) -> None:
    api.clock.advance(timedelta(hours=1))
    created = api.ok(
        "setAppointment",
        AgendaId=AGENDA,
        CustomerId=ZOE,
        BookingMode="customer",
        AppointmentTypeId=BEHANDELING,
        Date="2026-10-27",
        StartTime="15:00",
    )
    new_id = int(created.findtext("Objects/Appointment/Id") or 0)
    assert ids(api, CreatedAfter="2026-10-21 10:00:00") == [new_id]


def test_get_appointment_returns_cancelled_ones(api: Api) -> None:
    assert api.ok("getAppointment", Id=30012009).findtext("Appointment/Label") == "4"


def test_remove_is_permanent(api: Api) -> None:
    api.ok("removeAppointment", Id=30012002)
    assert api.fail("getAppointment", Id=30012002)[0] == "SIM-404"
    assert 30012002 not in ids(api, IncludeCancelled=1)
    assert api.fail("removeAppointment", Id=30012002)[0] == "SIM-404"


class TestCancel:
    def test_customer_cancel_sets_label_4(self, api: Api) -> None:
        api.ok("cancelAppointment", Id=30012008)
        assert api.ok("getAppointment", Id=30012008).findtext("Appointment/Label") == "4"

    def test_too_late_for_the_customer(self, api: Api) -> None:
        # 30012003 is an Intake (24 h notice) tomorrow at 10:00; it is now 10:00.
        api.clock.advance(timedelta(seconds=1))
        code, message = api.fail("cancelAppointment", Id=30012003)
        assert code == "SIM-409"
        assert message.lower().startswith("too late to cancel")
        assert "24 hours" in message

    def test_exactly_at_the_deadline_is_still_allowed(self, api: Api) -> None:
        api.ok("cancelAppointment", Id=30012003)

    def test_company_skips_the_deadline(self, api: Api) -> None:
        api.clock.advance(timedelta(hours=23, minutes=59))
        api.ok("cancelAppointment", Id=30012003, Mode="company", Remarks="Ziek", Confirmations=2)
        assert api.ok("getAppointment", Id=30012003).findtext("Appointment/Label") == "4"

    def test_dry_run_checks_without_changing(self, api: Api) -> None:
        api.ok("cancelAppointment", Id=30012008, DryRun=1)
        appointment = api.ok("getAppointment", Id=30012008)
        assert appointment.findtext("Appointment/Label") == "2"
        api.clock.advance(timedelta(days=1))
        assert api.fail("cancelAppointment", Id=30012003, DryRun=1)[0] == "SIM-409"

    def test_already_cancelled(self, api: Api) -> None:
        code, message = api.fail("cancelAppointment", Id=30012009, Mode="company")
        assert code == "SIM-409"
        assert "already cancelled" in message

    def test_started_appointment(self, api: Api) -> None:
        assert "already started" in api.fail("cancelAppointment", Id=30012001)[1]

    def test_unknown(self, api: Api) -> None:
        assert api.fail("cancelAppointment", Id=99)[0] == "SIM-404"


class TestConfirm:
    def test_right_code_approves(self, api: Api) -> None:
        api.clock.advance(timedelta(minutes=1))
        root = api.ok("confirmAppointment", id=30012003, ConfirmationCode="k7m3qp")
        assert root.findtext("Objects/Confirmation/Confirmed") == "1"
        appointment = api.ok("getAppointment", Id=30012003).find("Appointment")
        assert appointment is not None
        assert appointment.findtext("Label") == "2"
        assert appointment.findtext("UpdateTime") == "2026-10-21 10:01:00"

    def test_wrong_code_is_a_successful_no(self, api: Api) -> None:
        root = api.ok("confirmAppointment", id=30012003, ConfirmationCode="AAAAAA")
        assert root.findtext("Objects/Confirmation/Confirmed") == "0"
        assert api.ok("getAppointment", Id=30012003).findtext("Appointment/Label") == "1"

    def test_code_from_the_outbox(self, api: Api) -> None:
        entry = next(e for e in api.sandbox.outbox() if e["customer_id"] == HENK)
        assert entry["channel"] == "email"
        root = api.ok(
            "confirmAppointment", Id=entry["appointment_id"], ConfirmationCode=entry["code"]
        )
        assert root.findtext("Objects/Confirmation/Confirmed") == "1"

    def test_unknown_id_fails(self, api: Api) -> None:
        assert api.fail("confirmAppointment", id=42, ConfirmationCode="K7M3QP")[0] == "SIM-404"

    @pytest.mark.parametrize("appointment_id", [30012002, 30012009])
    def test_nothing_to_confirm(self, api: Api, appointment_id: int) -> None:
        root = api.ok("confirmAppointment", id=appointment_id, ConfirmationCode="K7M3QP")
        assert root.findtext("Objects/Confirmation/Confirmed") == "0"


def test_outbox_of_the_demo(api: Api) -> None:
    entries = api.sandbox.outbox()
    by_customer = {e["customer_id"]: e for e in entries}
    assert by_customer[SEBASTIEN]["channel"] == "sms"
    assert by_customer[SEBASTIEN]["recipient"] == "+33612345678"
    assert by_customer[SEBASTIEN]["code"] == "K7M3QP"
    assert by_customer[HENK]["recipient"] == "h.vandermeer@example.com"
    assert all(e["sent_at"] == "2026-10-21T08:00:00+00:00" for e in entries)
