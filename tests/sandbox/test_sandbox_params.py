"""Parameter handling: case-insensitive names, typed values, never a crash."""

from __future__ import annotations

import pytest

from tests.sandbox.testkit import AGENDA, INTAKE, ZOE, Api


@pytest.mark.parametrize("name", ["Id", "id", "ID", "iD"])
def test_parameter_names_ignore_case(api: Api, name: str) -> None:
    root = api.ok("getCustomer", **{name: ZOE})
    assert root.findtext("Customer/Id") == str(ZOE)


def test_lower_case_list_filters(api: Api) -> None:
    root = api.ok("getAppointments", agendaid=AGENDA, limit=1)
    assert root.findtext("Status/Stats/Limit") == "1"


def test_same_name_twice_with_different_values_is_refused(api: Api) -> None:
    code, message = api.fail("getCustomer", Id=ZOE, id=1)
    assert code == "SIM-400"
    assert "id" in message.lower()


@pytest.mark.parametrize(
    ("method", "params", "name"),
    [
        ("getAgenda", {"Id": "abc"}, "Id"),
        ("getAgenda", {}, "Id"),
        ("getAppointments", {"AgendaId": AGENDA, "StartDate": "21-10-2026"}, "StartDate"),
        ("getAppointments", {"AgendaId": AGENDA, "EndDate": "2026-02-30"}, "EndDate"),
        ("getAppointments", {"AgendaId": AGENDA, "Limit": "0"}, "Limit"),
        ("getAppointments", {"AgendaId": AGENDA, "Offset": "-1"}, "Offset"),
        ("getAppointments", {"AgendaId": AGENDA, "UpdatedAfter": "2026-10-21"}, "UpdatedAfter"),
        ("getAppointments", {"AgendaId": AGENDA, "IncludeCancelled": "yes"}, "IncludeCancelled"),
        ("getAppointments", {}, "AgendaId"),
        ("getBookableTimes", {"AgendaId": AGENDA, "AppointmentTypeId": INTAKE}, "Date"),
        (
            "CHAddBlock",
            {"AgendaId": AGENDA, "Date": "2026-10-22", "StartTime": "9:00", "EndTime": "10:00"},
            "StartTime",
        ),
        (
            "CHAddBlock",
            {"AgendaId": AGENDA, "Date": "2026-10-22", "StartTime": "09:00", "EndTime": "24:00"},
            "EndTime",
        ),
        ("cancelAppointment", {"Id": 30012002, "Mode": "admin"}, "Mode"),
        (
            "setAppointment",
            {
                "AgendaId": AGENDA,
                "CustomerId": ZOE,
                "AppointmentTypeId": INTAKE,
                "Date": "2026-10-26",
            },
            "StartTime",
        ),
        ("getAgenda", {"Id": "1" * 30}, "Id"),
    ],
)
def test_bad_values_name_the_parameter(
    api: Api, method: str, params: dict[str, object], name: str
) -> None:
    code, message = api.fail(method, **params)
    assert code == "SIM-400"
    assert name in message.split("\n")[0]
    assert message.split("\n")[1].startswith(f"{name}: ")


def test_unknown_ids_are_not_found(api: Api) -> None:
    assert api.fail("getAgenda", Id=1) == ("SIM-404", "Agenda 1 not found")
    assert api.fail("getAppointment", Id=1) == ("SIM-404", "Appointment 1 not found")
    assert api.fail("getAppointmentType", Id=1)[0] == "SIM-404"


def test_unexpected_errors_become_a_failed_status(
    api: Api, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from sandbox.booking.handlers import METHODS

    def explode(*args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setitem(METHODS, "getAgendas", explode)
    code, message = api.fail("getAgendas")
    assert code == "SIM-500"
    assert "boom" not in message
    assert "boom" in caplog.text


def test_failed_call_changes_nothing(api: Api) -> None:
    """A handler that fails half-way rolls its transaction back."""
    before = api.ok("getCustomers").findtext("Status/Stats/TotalRecords")
    api.fail(
        "setCustomer",
        FirstName="A",
        LastName="B",
        Email="a@example.com",
        Username="zoe.dejong",
        Password="secret1",
    )
    assert api.ok("getCustomers").findtext("Status/Stats/TotalRecords") == before
