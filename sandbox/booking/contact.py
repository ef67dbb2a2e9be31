"""E-mail and phone number checks, shared by `setCustomer` and the confirmation outbox.

Phone numbers are read the way a Dutch back office would: national numbers default to
the Netherlands, international ones keep their own country.
"""

from __future__ import annotations

import re

import phonenumbers

DEFAULT_REGION = "NL"

_EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")


def is_valid_email(value: str) -> bool:
    return bool(_EMAIL.match(value)) and len(value) <= 254


def _parse(value: str) -> phonenumbers.PhoneNumber | None:
    try:
        number = phonenumbers.parse(value, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def is_valid_phone(value: str) -> bool:
    return _parse(value) is not None


def to_e164(value: str) -> str:
    """The number in E.164 (`+31612345678`), or the text unchanged if it cannot be read."""
    number = _parse(value)
    if number is None:
        return value
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
