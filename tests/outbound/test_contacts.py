"""Contacts from the booking system's customers: mobile numbers in E.164, language, e-mail."""

from __future__ import annotations

import pytest

from bridge.booking import Customer
from bridge.outbound.contacts import contact_from_customer, normalise_mobile


@pytest.mark.parametrize(
    ("raw", "e164", "problem"),
    [
        ("06-12345678", "+31612345678", None),
        ("+31 6 1234 5678", "+31612345678", None),
        ("0612345678", "+31612345678", None),
        ("0031612345678", "+31612345678", None),
        ("+32 470 12 34 56", "+32470123456", None),
        ("020-1234567", None, "not_a_mobile_number"),
        ("12345", None, "invalid_number"),
        ("bel me", None, "invalid_number"),
        ("", None, "no_mobile_number"),
    ],
)
def test_numbers_normalise_to_e164(raw: str, e164: str | None, problem: str | None) -> None:
    assert normalise_mobile(raw) == (e164, problem)


def test_contact_language_and_fallbacks() -> None:
    customer = Customer(id=1, first_name="Zoë", last_name="Bakker", mobile_phone="",
                        phone="06 12 34 56 78", email=" zoe@example.nl ", extra={"Taal": "EN"})
    contact = contact_from_customer(customer, "Taal", "nl")
    assert contact.mobile == "+31612345678" and contact.language == "en"
    assert contact.email == "zoe@example.nl" and contact.full_name == "Zoë Bakker"
    other = contact_from_customer(Customer(id=2, extra={"Taal": "fr"}, email="x"), "Taal", "nl")
    assert other.language == "nl" and other.email is None and other.mobile is None
