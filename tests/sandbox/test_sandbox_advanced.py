"""Settings and configuration methods: fields, confirmation setting, calculation models."""

from __future__ import annotations

from tests.sandbox.testkit import AGENDA, BEHANDELING, INTAKE, Api


def test_fields_without_and_with_generic_ones(api: Api) -> None:
    extra = api.items("getFields", "Field", AgendaId=AGENDA)
    assert [(f["Key"], f["Type"], f["Required"]) for f in extra] == [
        ("Taal", "Registration", "0"),
        ("Klacht", "Appointment", "0"),
    ]
    every = api.items(
        "getFields", "Field", AgendaId=AGENDA, AppointmentTypeId=INTAKE, GenericFields=1
    )
    assert [f["Key"] for f in every] == [
        "FirstName",
        "LastName",
        "Email",
        "MobilePhone",
        "Taal",
        "Klacht",
    ]
    assert set(every[0]) == {"Id", "Label", "Key", "Type", "Required"}


def test_fields_of_a_type(small_api: Api) -> None:
    keys = [
        f["Key"] for f in small_api.items("getFields", "Field", AgendaId=1, AppointmentTypeId=1001)
    ]
    assert keys == ["Verwijzer"]
    assert small_api.ok("getFields", AgendaId=1, AppointmentTypeId=1002).find("Objects") is None


def test_requires_confirmation_follows_the_setting(api: Api) -> None:
    assert api.ok("requiresConfirmation").findtext("Objects/Confirmation/Required") == "1"
    api.sandbox.requires_confirmation = False
    assert api.sandbox.requires_confirmation is False
    assert api.ok("requiresConfirmation").findtext("Objects/Confirmation/Required") == "0"


def test_calculation_model_defaults_and_round_trip(api: Api) -> None:
    key = {"AgendaId": AGENDA, "AppTypeId": BEHANDELING, "CalculationModel": "limit"}
    model = api.items("getCalculationModelSettings", "CalculationModel", **key)
    assert model == [{"Name": "limit", "Enabled": "0", "Value": "{}"}]
    root = api.ok("setCalculationModelSettings", Value='{"max": 8, "per": "day"}', Enabled=1, **key)
    assert [c.tag for c in root] == ["Status"]
    model = api.items("getCalculationModelSettings", "CalculationModel", **key)
    assert model == [{"Name": "limit", "Enabled": "1", "Value": '{"max": 8, "per": "day"}'}]
    api.ok("setCalculationModelSettings", Value="[]", **key)  # Enabled kept
    model = api.items("getCalculationModelSettings", "CalculationModel", **key)
    assert model == [{"Name": "limit", "Enabled": "1", "Value": "[]"}]
    other = api.items(
        "getCalculationModelSettings", "CalculationModel", **{**key, "CalculationModel": "travel"}
    )
    assert other[0]["Enabled"] == "0"


def test_calculation_model_validation(api: Api) -> None:
    key = {"AgendaId": AGENDA, "AppTypeId": BEHANDELING}
    code, message = api.fail("getCalculationModelSettings", CalculationModel="magic", **key)
    assert code == "SIM-400" and "CalculationModel" in message
    code, message = api.fail(
        "setCalculationModelSettings", CalculationModel="limit", Value="{not json", **key
    )
    assert code == "SIM-400" and "Value" in message
    code, message = api.fail(
        "setCalculationModelSettings", CalculationModel="limit", Value="{}", Enabled=2, **key
    )
    assert code == "SIM-400" and "Enabled" in message
    assert (
        api.fail(
            "getCalculationModelSettings", AgendaId=AGENDA, AppTypeId=1, CalculationModel="limit"
        )[0]
        == "SIM-404"
    )


def test_appointment_types_and_resources(api: Api) -> None:
    types = api.items("getAppointmentTypes", "AppointmentType")
    assert [(t["Name"], t["Duration"], t["CanBeBookedByConsumer"]) for t in types] == [
        ("Intake", "45", "1"),
        ("Behandeling", "30", "1"),
        ("Huisbezoek", "60", "0"),
    ]
    resources = api.items("getResources", "Resource", AgendaId=AGENDA)
    assert [r["Name"] for r in resources] == ["Marieke de Vries", "Joost Bakker"]
