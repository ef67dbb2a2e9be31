"""`setAppointment` in consumer and customer mode, confirmation and required fields."""

from __future__ import annotations

from datetime import timedelta

from tests.sandbox.testkit import (
    AGENDA,
    BEHANDELING,
    HENK,
    HUISBEZOEK,
    INTAKE,
    JOOST,
    MARIEKE,
    SEBASTIEN,
    ZOE,
    Api,
    flat,
)


def book(api: Api, **params: object) -> int:
    root = api.ok("setAppointment", **{"AgendaId": AGENDA, "CustomerId": ZOE, **params})
    assert [c.tag for c in root.find("Objects/Appointment")] == ["Id", "Status"]  # type: ignore[union-attr]
    return int(root.findtext("Objects/Appointment/Id") or 0)


def appointment(api: Api, appointment_id: int) -> dict[str, str]:
    element = api.ok("getAppointment", Id=appointment_id).find("Appointment")
    assert element is not None
    values = flat(element)
    values["Resources"] = ",".join(r.text or "" for r in element.findall("Resources/ResourceId"))
    return values


class TestConsumerMode:
    def test_books_a_listed_time_as_pending_with_a_code(self, api: Api) -> None:
        new_id = book(
            api,
            AppointmentTypeId=BEHANDELING,
            Date="2026-10-26",
            StartTime="09:00",
            Klacht="Nekpijn",
        )
        saved = appointment(api, new_id)
        assert saved["Label"] == "1"
        assert saved["StartTime"] == "2026-10-26 09:00:00"
        assert saved["FinishTime"] == "2026-10-26 09:30:00"
        assert saved["Resources"] == str(MARIEKE)  # first free resource
        assert saved["Klacht"] == "Nekpijn"
        assert saved["Name"] == "Behandeling"
        sent = api.sandbox.outbox()[-1]
        assert sent["appointment_id"] == new_id
        assert sent["channel"] == "sms"
        assert sent["recipient"] == "+31620934418"
        code = str(sent["code"])
        assert len(code) == 6 and any(ch.isdigit() for ch in code)
        assert set(code) <= set("ABCDEFGHJKLMNPQRSTUVWXYZ23456789")

    def test_without_confirmation_bookings_are_approved(self, api: Api) -> None:
        api.sandbox.requires_confirmation = False
        new_id = book(api, AppointmentTypeId=BEHANDELING, Date="2026-10-26", StartTime="09:00")
        assert appointment(api, new_id)["Label"] == "2"
        assert all(e["appointment_id"] != new_id for e in api.sandbox.outbox())

    def test_second_booking_takes_the_other_resource_then_none_is_left(self, api: Api) -> None:
        slot = {"AppointmentTypeId": BEHANDELING, "Date": "2026-10-26", "StartTime": "09:00"}
        first, second = book(api, **slot), book(api, **slot)
        assert appointment(api, first)["Resources"] == str(MARIEKE)
        assert appointment(api, second)["Resources"] == str(JOOST)
        code, message = api.fail("setAppointment", AgendaId=AGENDA, CustomerId=ZOE, **slot)
        assert code == "SIM-409"
        assert "not a bookable time" in message

    def test_named_resource(self, api: Api) -> None:
        new_id = book(
            api,
            AppointmentTypeId=BEHANDELING,
            Date="2026-10-26",
            StartTime="09:00",
            ResourceId=JOOST,
        )
        assert appointment(api, new_id)["Resources"] == str(JOOST)

    def test_off_grid_outside_hours_and_too_soon_are_refused(self, api: Api) -> None:
        base = {"AgendaId": AGENDA, "CustomerId": ZOE, "AppointmentTypeId": BEHANDELING}
        for date, start in [
            ("2026-10-26", "09:03"),
            ("2026-10-26", "12:15"),
            ("2026-10-24", "10:00"),
            ("2026-10-21", "11:00"),
        ]:
            assert api.fail("setAppointment", Date=date, StartTime=start, **base)[0] == "SIM-409"

    def test_buffer_of_an_existing_appointment_blocks(self, api: Api) -> None:
        # Sébastien's Intake with Marieke on 22 Oct runs 10:00-10:45 plus a 15 min buffer.
        api.clock.advance(timedelta(hours=-8))  # 02:00: Behandeling needs 2 h notice
        free = book(
            api,
            AppointmentTypeId=BEHANDELING,
            Date="2026-10-22",
            StartTime="10:45",
            ResourceId=JOOST,
        )
        assert free
        code, _ = api.fail(
            "setAppointment",
            AgendaId=AGENDA,
            CustomerId=ZOE,
            ResourceId=MARIEKE,
            AppointmentTypeId=BEHANDELING,
            Date="2026-10-22",
            StartTime="10:45",
        )
        assert code == "SIM-409"
        book(
            api,
            AppointmentTypeId=BEHANDELING,
            Date="2026-10-22",
            StartTime="11:00",
            ResourceId=MARIEKE,
        )

    def test_type_not_bookable_by_consumers(self, api: Api) -> None:
        code, message = api.fail(
            "setAppointment",
            AgendaId=AGENDA,
            CustomerId=ZOE,
            AppointmentTypeId=HUISBEZOEK,
            Date="2026-10-26",
            StartTime="09:00",
        )
        assert code == "SIM-409"
        assert "consumers" in message

    def test_end_time_must_match_the_duration(self, api: Api) -> None:
        book(api, AppointmentTypeId=INTAKE, Date="2026-10-26", StartTime="09:00", EndTime="09:45")
        code, message = api.fail(
            "setAppointment",
            AgendaId=AGENDA,
            CustomerId=ZOE,
            AppointmentTypeId=INTAKE,
            Date="2026-10-26",
            StartTime="13:00",
            EndTime="15:00",
        )
        assert code == "SIM-400"
        assert "EndTime" in message

    def test_consumer_mode_cannot_edit(self, api: Api) -> None:
        code, message = api.fail(
            "setAppointment",
            Id=30012002,
            AgendaId=AGENDA,
            CustomerId=ZOE,
            Date="2026-10-26",
            StartTime="09:00",
        )
        assert code == "SIM-409"
        assert "BookingMode=customer" in message

    def test_unknown_references(self, api: Api) -> None:
        base = {
            "AgendaId": AGENDA,
            "CustomerId": ZOE,
            "AppointmentTypeId": BEHANDELING,
            "Date": "2026-10-26",
            "StartTime": "09:00",
        }
        assert api.fail("setAppointment", **{**base, "CustomerId": 1})[1] == "Customer 1 not found"
        assert api.fail("setAppointment", **{**base, "AgendaId": 2})[1] == "Agenda 2 not found"
        assert api.fail("setAppointment", **{**base, "AppointmentTypeId": 3})[0] == "SIM-404"
        assert api.fail("setAppointment", **{**base, "ResourceId": 4})[0] == "SIM-404"

    def test_email_only_customer_gets_the_code_by_email(self, api: Api) -> None:
        book(
            api,
            CustomerId=HENK,
            AppointmentTypeId=BEHANDELING,
            Date="2026-10-26",
            StartTime="09:00",
        )
        assert api.sandbox.outbox()[-1]["channel"] == "email"


class TestCustomerMode:
    def test_places_freely_with_an_end_time(self, api: Api) -> None:
        new_id = book(
            api,
            BookingMode="customer",
            AppointmentTypeId=HUISBEZOEK,
            Date="2026-10-24",
            StartTime="19:00",
            EndTime="20:30",
        )
        saved = appointment(api, new_id)
        assert saved["Label"] == "2"
        assert saved["FinishTime"] == "2026-10-24 20:30:00"
        assert saved["BlockedTime"] == "2026-10-24 21:00:00"
        assert saved["Resources"] == str(JOOST)

    def test_auto_assigns_a_free_resource(self, api: Api) -> None:
        # Marieke is busy 10:00-11:00 on 22 Oct, so Joost gets it.
        new_id = book(
            api,
            BookingMode="customer",
            AppointmentTypeId=BEHANDELING,
            Date="2026-10-22",
            StartTime="10:15",
        )
        assert appointment(api, new_id)["Resources"] == str(JOOST)

    def test_edit_moves_and_appends_the_note(self, api: Api) -> None:
        api.clock.advance(timedelta(minutes=10))
        book(
            api,
            Id=30012007,
            BookingMode="customer",
            Date="2026-10-27",
            StartTime="10:00",
            Description="Sleutel bij de buren",
            CustomerId=SEBASTIEN,
        )
        saved = appointment(api, 30012007)
        assert saved["StartTime"] == "2026-10-27 10:00:00"
        assert saved["FinishTime"] == "2026-10-27 11:00:00"
        assert saved["BlockedTime"] == "2026-10-27 11:30:00"
        assert saved["Description"] == (
            "Na heupoperatie; bel aan bij de achterdeur\nSleutel bij de buren"
        )
        assert saved["CustomerId"] == str(SEBASTIEN)
        assert saved["UpdateTime"] == "2026-10-21 10:10:00"
        assert saved["CreateTime"] == "2026-10-14 10:00:00"  # seeded as booked a week before
        element = api.ok("getAppointment", Id=30012007).find("Appointment/Resources")
        assert flat(element)["AssignedStartTime"] == "2026-10-27 10:00:00"  # type: ignore[arg-type]

    def test_cancelled_appointments_cannot_be_edited(self, api: Api) -> None:
        code, _ = api.fail(
            "setAppointment",
            Id=30012009,
            BookingMode="customer",
            AgendaId=AGENDA,
            CustomerId=ZOE,
            Date="2026-10-27",
            StartTime="10:00",
        )
        assert code == "SIM-409"

    def test_customer_mode_is_never_pending(self, api: Api) -> None:
        new_id = book(
            api,
            BookingMode="customer",
            AppointmentTypeId=BEHANDELING,
            Date="2026-10-26",
            StartTime="09:00",
        )
        assert appointment(api, new_id)["Label"] == "2"


class TestRequiredFields:
    def test_missing_required_field_is_reported(self, small_api: Api) -> None:
        code, message = small_api.fail(
            "setAppointment",
            AgendaId=1,
            CustomerId=501,
            AppointmentTypeId=1001,
            Date="2026-10-26",
            StartTime="09:00",
        )
        assert code == "SIM-422"
        assert message.split("\n") == [
            "Appointment could not be saved",
            "Verwijzer: required (Verwijzer)",
        ]

    def test_given_or_check_disabled(self, small_api: Api) -> None:
        base = {"AgendaId": 1, "CustomerId": 501, "AppointmentTypeId": 1001, "Date": "2026-10-26"}
        small_api.ok("setAppointment", StartTime="09:00", verwijzer="Huisarts Jansen", **base)
        small_api.ok("setAppointment", StartTime="10:00", RequiredFieldsCheck=0, **base)

    def test_field_only_applies_to_its_type(self, small_api: Api) -> None:
        small_api.ok(
            "setAppointment",
            AgendaId=1,
            CustomerId=501,
            AppointmentTypeId=1002,
            Date="2026-10-26",
            StartTime="18:00",
        )
