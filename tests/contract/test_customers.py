"""Customers: store, validate, look up, page, log in."""

from __future__ import annotations

import pytest

from bridge.booking import BookingApiError, BookingNotFoundError, iter_customers
from bridge.booking.models import Gender
from tests.contract.conftest import Stack
from tests.contract.helpers import new_customer


def test_create_read_and_update_a_customer(stack: Stack) -> None:
    customer_id = new_customer(
        stack.api, first_name="Daniëlle", insertions="van der", last_name="Berg & Zn <test>"
    )
    customer = stack.api.get_customer(customer_id)
    assert customer.full_name == "Daniëlle van der Berg & Zn <test>"
    stack.api.set_customer(
        customer_id=customer_id,
        email=customer.email,
        first_name="Daniëlle",
        last_name="Berg",
        gender=Gender.FEMALE,
        extra_fields={"Taal": "en"},
    )
    updated = stack.api.get_customer(customer_id)
    assert updated.last_name == "Berg" and updated.gender is Gender.FEMALE
    assert updated.extra.get("Taal") == "en"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"email": "geen-adres"}, "Email"),
        ({"mobile_phone": "12"}, "MobilePhone"),
        ({"first_name": ""}, "FirstName"),
        ({"username": "kort", "password": "12345"}, "Password"),
    ],
)
def test_invalid_customers_are_refused_per_field(
    stack: Stack, overrides: dict[str, str], field: str
) -> None:
    with pytest.raises(BookingApiError) as caught:
        new_customer(stack.api, **overrides)
    assert any(field in line for line in caught.value.field_errors)


def test_unknown_customer_is_not_found(stack: Stack) -> None:
    with pytest.raises(BookingNotFoundError):
        stack.api.get_customer(99999999)


def test_filter_and_page_customers(stack: Stack) -> None:
    customer_id = new_customer(stack.api, email="uniek.adres@example.nl")
    found = stack.api.get_customers(email="uniek.adres@example.nl").items
    assert [c.id for c in found] == [customer_id]
    everyone = list(iter_customers(stack.api, page_size=2))
    assert len({c.id for c in everyone}) == len(everyone) >= 6
    assert customer_id in {c.id for c in everyone}


def test_login_checks_the_password(stack: Stack) -> None:
    customer_id = new_customer(stack.api, username="zoe.b", password="geheim123")
    assert stack.api.login_customer("zoe.b", "geheim123").id == customer_id
    with pytest.raises(BookingApiError):
        stack.api.login_customer("zoe.b", "fout")
