"""Availability and bookings across the end of summer time (25 October 2026)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.sandbox.testkit import AGENDA, BEHANDELING, INTAKE, Api, bookable_times


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
        slots = bookable_times(api, AppointmentTypeId=INTAKE, Date="2026-10-26")
        assert slots[0][1] == "08:30"
        api.clock.set(datetime(2026, 10, 25, 8, 0, tzinfo=UTC))  # Sunday 09:00 CET
        slots = bookable_times(api, AppointmentTypeId=INTAKE, Date="2026-10-26")
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
