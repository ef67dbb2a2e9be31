"""Authentication failures, seen through the client's error hierarchy."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from bridge.booking import BookingApiError, BookingAuthError, BookingClient
from bridge.booking.envelope import parse_envelope
from bridge.booking.signing import sign
from bridge.clock import ManualClock as BridgeClock
from tests.contract.conftest import API_KEY, API_SECRET, Stack


def test_wrong_secret_is_an_auth_error(stack: Stack) -> None:
    with (
        BookingClient(stack.server.api_url, API_KEY, "0" * 40, clock=stack.clock) as api,
        pytest.raises(BookingAuthError, match="signature"),
    ):
        api.get_agendas()


def test_unknown_key_is_an_auth_error(stack: Stack) -> None:
    url = stack.server.api_url
    with (
        BookingClient(url, "unknownkey00-abcdef", API_SECRET, clock=stack.clock) as api,
        pytest.raises(BookingAuthError, match="api_key"),
    ):
        api.get_agendas()


def test_unknown_method_is_refused_by_name(stack: Stack) -> None:
    with pytest.raises(BookingApiError, match="getNothing"):
        stack.api.transport.call("getNothing", {})


def raw_call(stack: Stack, params: dict[str, str], salt: int) -> BookingApiError | None:
    query = {**params, "api_key": API_KEY, "api_salt": str(salt)}
    query["api_signature"] = sign(params, API_SECRET, salt)
    with httpx.Client() as http:
        envelope = parse_envelope(http.get(stack.server.api_url, params=query).content)
    if envelope.succeeded:
        return None
    return BookingApiError(params["method"], envelope.code, envelope.message)


def test_salt_older_than_five_minutes_is_refused(stack: Stack) -> None:
    now = int(stack.clock.now().timestamp())
    assert raw_call(stack, {"method": "getAgendas"}, now - 299) is None
    error = raw_call(stack, {"method": "getAgendas"}, now - 301)
    assert error is not None and "salt" in error.message.lower()


def test_salt_in_the_future_is_refused(stack: Stack) -> None:
    now = int(stack.clock.now().timestamp())
    error = raw_call(stack, {"method": "getAgendas"}, now + 5)
    assert error is not None and "salt" in error.message.lower()


def test_parameter_names_match_case_insensitively(stack: Stack) -> None:
    agenda = stack.api.get_agendas()[0]
    now = int(stack.clock.now().timestamp())
    assert raw_call(stack, {"method": "getAgenda", "id": str(agenda.id)}, now) is None
    assert raw_call(stack, {"method": "getAgenda", "ID": str(agenda.id)}, now) is None


def test_a_client_clock_far_behind_learns_the_server_time(stack: Stack) -> None:
    behind = BridgeClock(stack.clock.now() - timedelta(hours=2))
    with BookingClient(stack.server.api_url, API_KEY, API_SECRET, clock=behind) as api:
        assert api.get_agendas()  # first attempt refused (salt too old), re-signed, accepted
        assert abs(api.transport.skew_seconds - 7200) < 5
        assert api.get_resources()  # later calls are right the first time
