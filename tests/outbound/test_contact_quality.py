"""The shadow report's contact-data section (#17), against customers with known bad
data: each problem names exactly the customers it concerns, by the senders' own rules."""

from __future__ import annotations

from bridge.booking import Customer
from bridge.outbound.contact_quality import contact_quality

CUSTOMERS = [
    Customer(1, mobile_phone="06-12345678", email="anna@example.nl"),  # all fine
    Customer(2, mobile_phone="", email="bram@example.nl"),  # no mobile
    Customer(3, mobile_phone="06-123", email="chloe@example.nl"),  # invalid
    Customer(4, mobile_phone="030 123 4567", email="daan@example.nl"),  # a landline
    Customer(5, mobile_phone="+31 6 1234 5678", email=""),  # shares 1's; no e-mail
    Customer(6, mobile_phone="0687654321", email="eva@@example"),  # invalid e-mail
    Customer(7, mobile_phone="", phone="06-11223344", email="a@x.nl, b@y.nl"),  # list
    Customer(8, mobile_phone="", phone="030 765 4321", email="fleur@example.nl"),
]


def test_each_problem_names_its_customers() -> None:
    report = contact_quality(CUSTOMERS)
    assert report.customers == 8
    assert report.problems == {
        "no_mobile_number": [2, 8],
        "invalid_number": [3],
        "not_a_mobile_number": [4],
        "shared_mobile": [1, 5],
        "no_email": [5],
        "invalid e-mail address": [6, 7],
    }
    assert report.shared == {"+31612345678": [1, 5]}


def test_the_lines_name_ids_not_numbers() -> None:
    lines = contact_quality(CUSTOMERS).lines()
    assert lines[0] == "customers: 8"
    assert "a landline given as the mobile number: 1 (customer ids 4)" in lines
    assert "one mobile number shared by several customers: 2 (customer ids 1, 5)" in lines
    assert not any("+316" in line or "0612" in line for line in lines)


def test_clean_data_has_no_problem_lines() -> None:
    report = contact_quality([CUSTOMERS[0]])
    assert report.problems == {} and report.lines() == ["customers: 1"]
