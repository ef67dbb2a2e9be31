"""Validation of a customer record as `setCustomer` would store it.

Pure checks over plain values so the rules read in one place; the handler merges the
request into the stored record first, so updates are validated as a whole.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sandbox.booking.contact import is_valid_email, is_valid_phone
from sandbox.booking.localtime import parse_date

MIN_PASSWORD_LENGTH = 6


def _format_problems(values: Mapping[str, str], today: date) -> list[str]:
    problems: list[str] = []
    for name in ("Phone", "MobilePhone"):
        if values.get(name) and not is_valid_phone(values[name]):
            problems.append(f"{name}: not a valid phone number")
    gender = values.get("Gender", "")
    if gender and gender.upper() not in ("M", "F"):
        problems.append("Gender: must be M or F")
    birth = values.get("BirthDate", "")
    if birth:
        parsed = parse_date(birth)
        if parsed is None:
            problems.append("BirthDate: not a valid date (expected yyyy-mm-dd)")
        elif parsed > today:
            problems.append("BirthDate: lies in the future")
    house = values.get("HouseNr", "")
    if house and not (house.isascii() and house.isdigit()):
        problems.append("HouseNr: must be a number")
    if values.get("Status", "1") not in ("1", "2", "3"):
        problems.append("Status: must be 1 (enabled), 2 (disabled) or 3 (deleted)")
    return problems


def customer_problems(values: Mapping[str, str], today: date) -> list[str]:
    """`Field: problem` lines for a customer record; empty when it may be saved."""
    problems: list[str] = []
    for name in ("FirstName", "LastName", "Email"):
        if not values.get(name, "").strip():
            problems.append(f"{name}: required")
    email = values.get("Email", "").strip()
    if email and not is_valid_email(email):
        problems.append("Email: not a valid e-mail address")
    return problems + _format_problems(values, today)


def account_problems(username: str, password: str, username_taken: bool) -> list[str]:
    """Problems with the optional user account given when a customer is created."""
    problems: list[str] = []
    if password and not username:
        problems.append("Username: required when a Password is given")
    if username and not password:
        problems.append("Password: required when a Username is given")
    if password and len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"Password: must be at least {MIN_PASSWORD_LENGTH} characters long")
    if username and username_taken:
        problems.append("Username: already in use")
    return problems
