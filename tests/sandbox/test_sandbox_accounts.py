"""`BookingAccounts`: several accounts behind one `handle`, chosen by `api_key`, isolated."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox.booking import DEMO_API_KEY, DEMO_API_SECRET, BookingAccounts, BookingSandbox
from sandbox.booking.accounts import practice_database
from sandbox.booking.practices import practice
from sandbox.clock import ManualClock
from tests.sandbox.testkit import AGENDA, START, ZOE, Api

SEED = 11


@pytest.fixture
def accounts(clock: ManualClock) -> Iterator[BookingAccounts]:
    accounts = BookingAccounts.generated(3, seed=SEED, clock=clock)
    yield accounts
    accounts.close()


def api_for(accounts: BookingAccounts, clock: ManualClock, number: int) -> Api:
    """A client of the whole sandbox, signing as practice `number`."""
    api = Api(accounts, clock)
    account = accounts.by_number(number)
    assert account is not None
    api.key, api.secret = account.api_key, account.api_secret
    return api


def agenda_id(api: Api) -> int:
    return int(api.items("getAgendas", "Agenda")[0]["Id"])


def test_each_key_reaches_its_own_practice(accounts: BookingAccounts, clock: ManualClock) -> None:
    names = []
    for number in (1, 2, 3):
        agendas = api_for(accounts, clock, number).items("getAgendas", "Agenda")
        names.append([a["Name"] for a in agendas])
    assert names == [
        ["Fysiotherapie De Linde"],
        ["Fysiotherapie Het Anker"],
        ["Fysiotherapie De Brug"],
    ]


def test_account_1_is_the_demo_account(accounts: BookingAccounts, clock: ManualClock) -> None:
    assert (accounts.first.api_key, accounts.first.api_secret) == (DEMO_API_KEY, DEMO_API_SECRET)
    assert agenda_id(api_for(accounts, clock, 1)) == AGENDA
    assert [a.api_key for a in accounts] == [practice(n, SEED).api_key for n in (1, 2, 3)]


def test_every_practice_has_its_own_upcoming_appointments(
    accounts: BookingAccounts, clock: ManualClock
) -> None:
    seen: list[set[str]] = []
    for number in (1, 2, 3):
        api = api_for(accounts, clock, number)
        found = api.items("getAppointments", "Appointment", AgendaId=agenda_id(api))
        assert len(found) == 7  # the demo's eight from today, less the cancelled one
        assert all(a["StartTime"] >= "2026-10-22" for a in found)
        seen.append({a["Id"] for a in found})
    assert not (seen[0] & seen[1] or seen[1] & seen[2] or seen[0] & seen[2])


def test_each_practice_has_its_own_outbox_of_seeded_codes(accounts: BookingAccounts) -> None:
    outboxes = [account.outbox() for account in accounts]
    assert [len(o) for o in outboxes] == [3, 3, 3]
    assert [e["code"] for e in outboxes[0]] == ["K7M3QP", "R4TW9X", "H8N2CE"]
    recipients = [{e["recipient"] for e in o} for o in outboxes]
    assert not (recipients[0] & recipients[1] or recipients[1] & recipients[2])


def _failure_of(handler: BookingSandbox | BookingAccounts, clock: ManualClock, **sent: str) -> str:
    api = Api(handler, clock)
    api.key = sent.get("key", api.key)
    api.secret = sent.get("secret", api.secret)
    return api.raw("getAgendas")


@pytest.mark.parametrize(
    "sent",
    [
        {"key": "nobody000000-000000"},  # unknown key
        {"key": ""},  # no key
        {"secret": "0" * 40},  # the demo key, signed with another secret
    ],
)
def test_refusals_are_exactly_those_of_one_account(
    accounts: BookingAccounts, clock: ManualClock, sent: dict[str, str]
) -> None:
    alone = BookingSandbox(DEMO_API_KEY, DEMO_API_SECRET, clock=clock)
    assert _failure_of(accounts, clock, **sent) == _failure_of(alone, clock, **sent)
    assert "<Code>SIM-401</Code>" in _failure_of(accounts, clock, **sent)


def test_one_practices_key_with_anothers_secret_is_refused(
    accounts: BookingAccounts, clock: ManualClock
) -> None:
    api = api_for(accounts, clock, 2)
    api.secret = accounts.first.api_secret
    assert api.fail("getAgendas") == ("SIM-401", "Invalid signature")


def test_api_key_names_match_in_any_case(accounts: BookingAccounts, clock: ManualClock) -> None:
    api = api_for(accounts, clock, 3)
    params = api.signed("getAgendas")
    params["API_KEY"] = params.pop("api_key")
    assert "Fysiotherapie De Brug" in accounts.handle(params)


def test_a_booking_stays_in_its_practice(accounts: BookingAccounts, clock: ManualClock) -> None:
    two = api_for(accounts, clock, 2)
    types = two.items("getAppointmentTypes", "AppointmentType", AgendaId=agenda_id(two))
    behandeling = next(t["Id"] for t in types if t["Name"] == "Behandeling")
    zoe = ZOE + 1_000_000
    root = two.ok(
        "setAppointment",
        AgendaId=agenda_id(two),
        CustomerId=zoe,
        AppointmentTypeId=behandeling,
        Date="2026-10-26",
        StartTime="09:00",
    )
    new_id = int(root.findtext("Objects/Appointment/Id") or 0)
    second = accounts.by_number(2)
    assert second is not None
    sent = second.outbox()[-1]
    assert (sent["appointment_id"], sent["customer_id"]) == (new_id, zoe)
    assert sent["recipient"] == "+31620002001"
    assert len(accounts.first.outbox()) == 3
    code, _ = api_for(accounts, clock, 1).fail("getAppointment", Id=new_id)
    assert code == "SIM-404"


def test_requires_confirmation_is_per_practice(accounts: BookingAccounts) -> None:
    second = accounts.by_number(2)
    assert second is not None
    second.requires_confirmation = False
    assert [a.requires_confirmation for a in accounts] == [True, False, True]


def test_lookups(accounts: BookingAccounts) -> None:
    assert len(accounts) == 3
    assert accounts.by_number(0) is None and accounts.by_number(4) is None
    assert accounts.by_key(DEMO_API_KEY) is accounts.first
    assert accounts.by_key("nobody") is None
    assert [a["account"] for a in accounts.describe()] == [1, 2, 3]
    assert accounts.describe()[1]["name"] == "Fysiotherapie Het Anker"


def test_the_accounts_share_the_clock(accounts: BookingAccounts, clock: ManualClock) -> None:
    assert accounts.clock is clock
    assert all(account.clock is clock for account in accounts)


def test_a_given_first_account_replaces_the_demo(clock: ManualClock) -> None:
    first = BookingSandbox("mine00000000-000000", "f" * 40, clock=clock)
    accounts = BookingAccounts.generated(2, first=first)
    assert accounts.first is first
    assert accounts.by_number(2) is not None
    assert accounts.clock is clock


def test_one_account_is_a_sandbox_with_one_account(clock: ManualClock) -> None:
    accounts = BookingAccounts.generated(1, clock=clock)
    assert len(accounts) == 1 and accounts.first.api_key == DEMO_API_KEY


def test_accounts_must_be_distinct_and_share_a_clock(clock: ManualClock) -> None:
    with pytest.raises(ValueError, match="at least one"):
        BookingAccounts([])
    demo = BookingSandbox(DEMO_API_KEY, DEMO_API_SECRET, clock=clock)
    again = BookingSandbox(DEMO_API_KEY, "0" * 40, clock=clock)
    with pytest.raises(ValueError, match="of its own"):
        BookingAccounts([demo, again])
    elsewhere = BookingSandbox("other0000000-000000", "0" * 40, clock=ManualClock(START))
    with pytest.raises(ValueError, match="one clock"):
        BookingAccounts([demo, elsewhere])


def test_practice_databases_sit_next_to_the_first() -> None:
    assert practice_database(":memory:", 3) == ":memory:"
    assert practice_database("/x/s.sqlite3", 1) == "/x/s.sqlite3"
    assert practice_database("/x/s.sqlite3", 2) == "/x/s.practice2.sqlite3"
    assert practice_database("state", 12) == "state.practice12"


def test_file_databases_survive_a_restart(tmp_path: Path, clock: ManualClock) -> None:
    path = str(tmp_path / "s.sqlite3")
    accounts = BookingAccounts.generated(2, clock=clock, database=path)
    second = accounts.by_number(2)
    assert second is not None
    second.requires_confirmation = False
    accounts.close()
    assert (tmp_path / "s.practice2.sqlite3").exists()
    again = BookingAccounts.generated(2, clock=clock, database=path)
    assert [a.requires_confirmation for a in again] == [True, False]
    again.close()
