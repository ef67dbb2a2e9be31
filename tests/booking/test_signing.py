"""Signing (upstream-api.md §2.1): the worked examples and its invariants."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from bridge.booking.signing import sign, signing_string

SECRET = "s3cr3t"
SALT = 1714118395


def test_worked_example_from_the_protocol_notes() -> None:
    params = {
        "method": "getBookableTimes",
        "AgendaId": "1",
        "AppointmentTypeId": "42",
        "Date": "2024-05-01",
        "ResourceId": "7",
    }
    assert signing_string(params, SECRET, SALT) == (
        "AgendaId1AppointmentTypeId42Date2024-05-01ResourceId7methodgetBookableTimess3cr3t1714118395"
    )
    assert sign(params, SECRET, SALT) == "527668e3d254b4f47e548661cd5328c1f8285dc7"


def test_spaces_are_removed_before_hashing() -> None:
    params = {"method": "getCustomers", "Email": "a b@example.com", "Limit": "10"}
    assert sign(params, SECRET, SALT) == "4119e1231b943d41c8e57a515608c0e86a4e9534"


def test_reserved_parameters_are_not_signed() -> None:
    params = {"method": "getAgendas"}
    with_reserved = {**params, "api_key": "k", "api_salt": "1", "api_format": "xml"}
    assert sign(params, SECRET, SALT) == sign(with_reserved, SECRET, SALT)


def test_keys_sort_bytewise_so_upper_case_comes_first() -> None:
    string = signing_string({"method": "m", "StartDate": "d", "agendaId": "1"}, "", 0)
    assert string == "StartDatedagendaId1methodm0"


def test_an_empty_value_contributes_its_key() -> None:
    assert signing_string({"method": "m", "Name": ""}, "x", 5) == "Namemethodmx5"


keys = st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1)
values = st.text(max_size=30)


@given(st.dictionaries(keys, values, min_size=1, max_size=8), st.randoms())
def test_signature_does_not_depend_on_parameter_order(
    params: dict[str, str], rnd: random.Random
) -> None:
    items = list(params.items())
    rnd.shuffle(items)
    assert sign(dict(items), SECRET, SALT) == sign(params, SECRET, SALT)


@given(st.dictionaries(keys, values, min_size=1, max_size=8), st.data())
def test_spaces_inside_values_do_not_matter(params: dict[str, str], data: st.DataObject) -> None:
    spaced = {
        key: data.draw(st.sampled_from(["", " ", "  "])).join(value) + " "
        for key, value in params.items()
    }
    assert sign(spaced, SECRET, SALT) == sign(params, SECRET, SALT)


@given(st.dictionaries(keys, values, min_size=1, max_size=8))
def test_signature_is_forty_lower_case_hex_digits(params: dict[str, str]) -> None:
    signature = sign(params, SECRET, SALT)
    assert len(signature) == 40
    assert signature == signature.lower()
    int(signature, 16)
