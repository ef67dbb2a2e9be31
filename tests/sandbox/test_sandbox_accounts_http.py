"""Several practices over real HTTP: one `/APIREST`, the controls' `?account=`/`?api_key=`."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from defusedxml import ElementTree

from sandbox.booking import DEMO_API_KEY, DEMO_API_SECRET, BookingAccounts, BookingSandbox
from sandbox.clock import ManualClock
from sandbox.server import SandboxServer
from tests.sandbox.testkit import Api


@pytest.fixture
def accounts(clock: ManualClock) -> Iterator[BookingAccounts]:
    accounts = BookingAccounts.generated(3, seed=5, clock=clock)
    yield accounts
    accounts.close()


@pytest.fixture
def http(accounts: BookingAccounts) -> Iterator[httpx.Client]:
    with SandboxServer(accounts) as server, httpx.Client(base_url=server.base_url) as client:
        yield client


def _account(accounts: BookingAccounts, number: int) -> BookingSandbox:
    account = accounts.by_number(number)
    assert account is not None
    return account


def test_one_endpoint_answers_each_practice_by_its_key(
    http: httpx.Client, accounts: BookingAccounts, clock: ManualClock
) -> None:
    names = []
    for account in accounts:
        api = Api(accounts, clock)
        api.key, api.secret = account.api_key, account.api_secret
        body = http.get("/APIREST", params=api.signed("getAgendas")).text
        names.append(ElementTree.fromstring(body.encode()).findtext("Objects/Agenda/Name"))
    assert names == ["Fysiotherapie De Linde", "Fysiotherapie Het Anker", "Fysiotherapie De Brug"]


def test_an_unknown_key_is_refused_as_before(http: httpx.Client, clock: ManualClock) -> None:
    api = Api(BookingSandbox(DEMO_API_KEY, DEMO_API_SECRET, clock=clock), clock)
    api.key = "nobody000000-000000"
    params = api.signed("getAgendas")
    assert http.get("/APIREST", params=params).text == api.sandbox.handle(params)
    assert "Unknown api_key" in api.sandbox.handle(params)


def test_accounts_lists_every_practice_with_its_credentials(
    http: httpx.Client, accounts: BookingAccounts
) -> None:
    listed = http.get("/_sandbox/accounts").json()
    assert listed == [
        {
            "account": number,
            "name": account.practice_name,
            "api_key": account.api_key,
            "api_secret": account.api_secret,
        }
        for number, account in enumerate(accounts, start=1)
    ]
    assert listed[0]["api_key"] == DEMO_API_KEY


def test_outbox_of_a_practice_by_number_or_key(
    http: httpx.Client, accounts: BookingAccounts
) -> None:
    second = _account(accounts, 2)
    by_number = http.get("/_sandbox/outbox", params={"account": 2}).json()
    by_key = http.get("/_sandbox/outbox", params={"api_key": second.api_key}).json()
    both = http.get("/_sandbox/outbox", params={"account": 2, "api_key": second.api_key})
    assert by_number == by_key == both.json() == second.outbox()
    assert http.get("/_sandbox/outbox").json() == accounts.first.outbox()
    assert by_number != accounts.first.outbox()


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"account": "4"}, 404),
        ({"account": "0"}, 404),
        ({"account": "two"}, 400),
        ({"account": "-1"}, 400),
        ({"api_key": "nobody"}, 404),
        ({"account": "1", "api_key": "wrong"}, 404),
    ],
)
def test_an_account_no_one_has_is_an_error_not_account_1(
    http: httpx.Client, params: dict[str, str], status: int
) -> None:
    for response in (
        http.get("/_sandbox/outbox", params=params),
        http.put("/_sandbox/settings", params=params, json={"requires_confirmation": False}),
    ):
        assert response.status_code == status
        assert "error" in response.json()


def test_number_and_key_of_different_accounts_disagree(
    http: httpx.Client, accounts: BookingAccounts
) -> None:
    params = {"account": "1", "api_key": _account(accounts, 3).api_key}
    response = http.get("/_sandbox/outbox", params=params)
    assert response.status_code == 400
    assert "does not have that api_key" in response.json()["error"]


def test_settings_change_one_practice(http: httpx.Client, accounts: BookingAccounts) -> None:
    response = http.put(
        "/_sandbox/settings", params={"account": 3}, json={"requires_confirmation": False}
    )
    assert response.json() == {"requires_confirmation": False}
    assert [a.requires_confirmation for a in accounts] == [True, True, False]
    http.put("/_sandbox/settings", json={"requires_confirmation": False})
    assert [a.requires_confirmation for a in accounts] == [False, True, False]


def test_the_clock_is_one_for_all(http: httpx.Client, accounts: BookingAccounts) -> None:
    http.put("/_sandbox/clock", json={"advance_seconds": 60})
    assert {a.clock.now() for a in accounts} == {accounts.clock.now()}
    assert http.get("/_sandbox/clock").json() == {"now": "2026-10-21T08:01:00+00:00"}


def test_a_one_account_sandbox_lists_its_account(booking: BookingSandbox) -> None:
    with SandboxServer(booking) as server:
        listed = httpx.get(server.base_url + "/_sandbox/accounts").json()
        assert [(a["account"], a["api_key"]) for a in listed] == [(1, DEMO_API_KEY)]
        outbox = httpx.get(server.base_url + "/_sandbox/outbox", params={"account": 1})
        assert outbox.json() == booking.outbox()
