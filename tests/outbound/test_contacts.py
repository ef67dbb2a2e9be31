"""Contacts from the booking system's customers: mobile numbers in E.164, language, e-mail."""

from __future__ import annotations

import json

import pytest
from redis import Redis

from bridge.booking import Customer
from bridge.outbound.contacts import (
    INVALID_EMAIL,
    ContactBook,
    contact_from_customer,
    normalise_email,
    normalise_mobile,
)
from bridge.store import keys
from bridge.store.tombstones import Tombstones


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


@pytest.mark.parametrize("field", [
    "victim@example.com, attacker@evil.example",
    "victim@example.com;attacker@evil.example",
    "Victim <victim@example.com>",
    "group: victim@example.com, attacker@evil.example;",
    "victim@example.com\r\nBcc: attacker@evil.example",
    "victim@example.com\n",
    '"victim,attacker"@example.com',
    "victim@[127.0.0.1]",
    "victim@localhost",
    "no address",
])
def test_anything_but_one_mailbox_is_an_invalid_address(field: str) -> None:
    assert normalise_email(field) == (None, INVALID_EMAIL)
    contact = contact_from_customer(Customer(id=3, email=field), "Taal", "nl")
    assert contact.email is None and contact.email_problem == INVALID_EMAIL


def test_one_mailbox_is_kept_and_an_empty_field_is_no_problem() -> None:
    assert normalise_email(" daan.jansen@Example.NL\t") == ("daan.jansen@Example.NL", None)
    assert normalise_email("") == (None, None)
    contact = contact_from_customer(Customer(id=4, email=""), "Taal", "nl")
    assert contact.email is None and contact.email_problem is None


def test_a_contact_cached_by_an_earlier_release_is_checked_again(redis: Redis) -> None:
    old = {"customer_id": 5, "first_name": "Daan", "full_name": "Daan Jansen",
           "mobile": None, "mobile_problem": "no_mobile_number",
           "email": "victim@example.com, attacker@evil.example", "language": "nl"}
    redis.set(keys.customer_cache(5), json.dumps(old))
    book = ContactBook(redis, None, ttl_seconds=60,  # type: ignore[arg-type]  (cached)
                       tombstones=Tombstones(redis, b"k", 60),
                       language_field="Taal", default_language="nl")
    contact = book.get(5)
    assert contact is not None
    assert contact.email is None and contact.email_problem == INVALID_EMAIL
