"""Authentication: every failure of protocol notes §2.2/§2.4, and what must still pass."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sandbox.booking.auth import signature
from tests.sandbox.testkit import AGENDA, Api, failure, sign


def test_worked_examples_of_the_protocol_notes() -> None:
    params = {
        "method": "getBookableTimes",
        "AgendaId": "1",
        "AppointmentTypeId": "42",
        "Date": "2024-05-01",
        "ResourceId": "7",
    }
    assert signature(params, "s3cr3t", "1714118395") == "527668e3d254b4f47e548661cd5328c1f8285dc7"
    params = {"method": "getCustomers", "Email": "a b@example.com", "Limit": "10"}
    assert signature(params, "s3cr3t", "1714118395") == "4119e1231b943d41c8e57a515608c0e86a4e9534"
    assert sign(params, "s3cr3t", "1714118395") == "4119e1231b943d41c8e57a515608c0e86a4e9534"


def test_signed_call_succeeds(api: Api) -> None:
    api.ok("getAgendas")


def _fail(api: Api, params: dict[str, str]) -> tuple[str, str]:
    from defusedxml import ElementTree

    return failure(ElementTree.fromstring(api.sandbox.handle(params).encode()))


@pytest.mark.parametrize("missing", ["api_key", "api_salt", "api_signature"])
def test_missing_auth_parameter_is_named(api: Api, missing: str) -> None:
    params = api.signed("getAgendas")
    del params[missing]
    code, message = _fail(api, params)
    assert code == "SIM-401"
    assert missing in message


def test_missing_method_is_named(api: Api) -> None:
    params = api.signed("getAgendas")
    del params["method"]
    code, message = _fail(api, params)
    assert code == "SIM-400"
    assert "method" in message


def test_unknown_api_key(api: Api) -> None:
    params = api.signed("getAgendas")
    params["api_key"] = "abcdefghijkl-123456"
    assert _fail(api, params) == ("SIM-401", "Unknown api_key")


def test_wrong_signature(api: Api) -> None:
    params = api.signed("getAgendas")
    params["api_signature"] = "0" * 40
    assert _fail(api, params) == ("SIM-401", "Invalid signature")


def test_tampered_parameter_breaks_the_signature(api: Api) -> None:
    params = api.signed("getAgenda", Id=AGENDA)
    params["Id"] = "1"
    assert _fail(api, params) == ("SIM-401", "Invalid signature")


def test_signature_hex_is_compared_case_insensitively(api: Api) -> None:
    params = api.signed("getAgendas")
    params["api_signature"] = params["api_signature"].upper()
    assert api.sandbox.handle(params).count("<Status>success</Status>") == 1


@pytest.mark.parametrize("salt", ["abc", "12.5", "-5", "1e9"])
def test_salt_must_be_an_integer(api: Api, salt: str) -> None:
    params = api.signed("getAgendas")
    params["api_salt"] = salt
    params["api_signature"] = sign(params, api.secret, salt)
    code, message = _fail(api, params)
    assert code == "SIM-401"
    assert "salt" in message


@pytest.mark.parametrize(
    ("offset", "accepted"), [(0, True), (-300, True), (-301, False), (1, False)]
)
def test_salt_window(api: Api, offset: int, accepted: bool) -> None:
    params = api.signed("getAgendas")
    salt = str(int(params["api_salt"]) + offset)
    params["api_salt"] = salt
    params["api_signature"] = sign(params, api.secret, salt)
    if accepted:
        assert "<Status>success</Status>" in api.sandbox.handle(params)
    else:
        code, message = _fail(api, params)
        assert code == "SIM-401"
        assert "salt" in message


def test_replay_within_the_window_is_accepted(api: Api) -> None:
    params = api.signed("getAgendas")
    api.clock.advance(timedelta(seconds=299))
    assert "<Status>success</Status>" in api.sandbox.handle(params)
    api.clock.advance(timedelta(seconds=2))
    assert "salt" in _fail(api, params)[1]


def test_reserved_parameters_are_not_signed(api: Api) -> None:
    params = api.signed("getAgendas")
    params.update(api_format="xml", api_lang="nl", api_jsonp_callback="cb")
    assert "<Status>success</Status>" in api.sandbox.handle(params)


def test_unknown_method_is_named(api: Api) -> None:
    code, message = api.fail("getAppointmentz")
    assert code == "SIM-405"
    assert "getAppointmentz" in message


def test_method_names_are_case_sensitive(api: Api) -> None:
    code, message = api.fail("getagendas")
    assert code == "SIM-405"
    assert "getagendas" in message


def test_signature_checked_before_method_lookup(api: Api) -> None:
    params = api.signed("noSuchMethod")
    params["api_signature"] = "f" * 40
    assert _fail(api, params) == ("SIM-401", "Invalid signature")


def test_failures_are_still_full_envelopes(api: Api) -> None:
    params = api.signed("getAgendas")
    params["api_key"] = "nope"
    body = api.sandbox.handle(params)
    assert body.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<Response>')
    assert "<APIVersion>1.0</APIVersion>" in body
    assert "<Objects>" not in body
