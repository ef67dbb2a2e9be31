"""Generated practices: practice 1 is the demo, 2..N copies a bridge can tell apart."""

from __future__ import annotations

import hashlib
import re

import phonenumbers
import pytest

from sandbox.booking import DEMO_API_KEY, DEMO_API_SECRET
from sandbox.booking.demo_data import demo_data
from sandbox.booking.practice_data import MAX_PRACTICES, practice_data
from sandbox.booking.practices import generated_credentials, practice, practices


def test_practice_1_is_the_demo_account() -> None:
    first = practice(1, seed=42)
    assert (first.api_key, first.api_secret) == (DEMO_API_KEY, DEMO_API_SECRET)
    assert first.name == "Fysiotherapie De Linde"
    assert first.data == demo_data()


def test_the_same_seed_gives_the_same_practices() -> None:
    assert practices(4, seed=7) == practices(4, seed=7)


def test_another_seed_gives_other_credentials_and_codes_but_the_same_practices() -> None:
    a, b = practice(2, seed=1), practice(2, seed=2)
    assert a.name == b.name
    assert a.api_key != b.api_key and a.api_secret != b.api_secret
    codes = [
        [x.get("ConfirmationCode") for x in p.data["Appointments"] if x.get("ConfirmationCode")]
        for p in (a, b)
    ]
    assert codes[0] != codes[1]
    assert a.data["Customers"] == b.data["Customers"]


def test_credentials_are_shaped_like_the_demo_ones_and_distinct() -> None:
    credentials = [generated_credentials(n, seed=3) for n in range(2, 60)]
    for api_key, api_secret in credentials:
        assert re.fullmatch(r"[a-z0-9]{12}-[a-z0-9]{6}", api_key)
        assert re.fullmatch(r"[0-9a-f]{40}", api_secret)
    keys = [k for k, _ in credentials] + [DEMO_API_KEY]
    assert len(set(keys)) == len(keys)
    assert practice(5, seed=3).api_key == credentials[3][0]


def test_credentials_follow_the_documented_derivation() -> None:
    """sandbox/README.md spells the derivation out, so a demo can know the credentials."""
    text = "oabridge-sandbox:0:2"
    digest = hashlib.sha256(text.encode()).hexdigest()
    api_key = ("hetanker" + digest)[:12] + "-" + digest[-6:]
    api_secret = hashlib.sha1((text + ":secret").encode()).hexdigest()
    assert generated_credentials(2, seed=0) == (api_key, api_secret)
    assert api_key == "hetankerf496-4d75b8"  # the example in the README


def test_names_and_agendas_are_distinct() -> None:
    generated = practices(20)
    names = [p.name for p in generated]
    assert len(set(names)) == 20
    assert names[1:3] == ["Fysiotherapie Het Anker", "Fysiotherapie De Brug"]
    for p in generated:
        assert [a["Name"] for a in p.data["Agendas"]] == [p.name]


def _ids(data: dict[str, object], table: str) -> set[int]:
    return {int(item["Id"]) for item in data[table]}  # type: ignore[attr-defined,index]


@pytest.mark.parametrize(
    "table", ["Agendas", "Resources", "AppointmentTypes", "Fields", "Customers", "Appointments"]
)
def test_ids_never_repeat_across_practices(table: str) -> None:
    seen: set[int] = set()
    for p in practices(12):
        ids = _ids(p.data, table)
        assert not ids & seen
        seen |= ids


def test_references_follow_the_renumbering() -> None:
    data = practice_data(3)
    agendas, types = _ids(data, "Agendas"), _ids(data, "AppointmentTypes")
    resources, customers = _ids(data, "Resources"), _ids(data, "Customers")
    for item in data["Appointments"]:
        assert item["AgendaId"] in agendas and item["AppointmentTypeId"] in types
        assert item["CustomerId"] in customers and set(item["ResourceIds"]) <= resources
    for item in data["Schedule"]:
        assert item["AgendaId"] in agendas and item["ResourceId"] in resources
    for item in data["AppointmentTypes"]:
        assert {int(r) for r in item["ResourceId"].split(",")} <= resources
    for item in data["Fields"]:
        assert set(item["AppointmentTypeIds"]) <= types


def _mobile_e164(value: str) -> str:
    number = phonenumbers.parse(value, "NL")
    assert phonenumbers.is_valid_number(number), value
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def test_mobile_numbers_are_valid_and_unique_to_a_practice() -> None:
    seen: dict[str, int] = {}
    for p in [*practices(30), practice(MAX_PRACTICES)]:
        for customer in p.data["Customers"]:
            if customer.get("MobilePhone"):
                number = _mobile_e164(customer["MobilePhone"])
                assert seen.setdefault(number, p.number) == p.number, number
    assert len(seen) == 31 * 6  # six of the demo's seven customers have a mobile


def test_mobile_numbers_keep_the_demos_spelling_and_country() -> None:
    demo = [c.get("MobilePhone", "") for c in demo_data()["Customers"]]
    generated = [c["MobilePhone"] for c in practice_data(2)["Customers"]]
    for ours, theirs in zip(generated, demo, strict=True):
        assert re.sub(r"\d", "9", ours) == re.sub(r"\d", "9", theirs)
        if theirs:  # the French customer stays French
            country = [phonenumbers.parse(n, "NL").country_code for n in (ours, theirs)]
            assert country[0] == country[1]


def test_e_mail_addresses_are_unique_to_a_practice() -> None:
    two, three = practice_data(2), practice_data(3)
    addresses = [c["Email"] for c in two["Customers"] + three["Customers"]]
    assert len(set(addresses)) == len(addresses)
    assert two["Customers"][1]["Email"] == "zoe.dejong@fysiotherapie-het-anker.example.com"


def test_generated_practices_keep_the_demos_appointments_and_setting() -> None:
    demo, data = demo_data(), practice_data(2)
    assert data["Settings"] == demo["Settings"] == {"RequiresConfirmation": True}
    kept = ("Date", "StartTime", "Label")
    assert [[a.get(k) for k in kept] for a in data["Appointments"]] == [
        [a.get(k) for k in kept] for a in demo["Appointments"]
    ]


@pytest.mark.parametrize("count", [0, MAX_PRACTICES + 1])
def test_a_count_out_of_range_is_refused(count: int) -> None:
    with pytest.raises(ValueError, match="number of practices"):
        practices(count)


def test_practice_data_refuses_the_demo_number() -> None:
    with pytest.raises(ValueError, match="numbered 2 to"):
        practice_data(1)
