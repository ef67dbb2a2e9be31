"""Masking personal data before anything is logged or shown to an operator.

Phone numbers keep their country code and last two digits (`+31******78`), e-mail
addresses their first letter and domain (`d***@example.nl`; every address of a field
that holds several, and nothing else of it). `mask_text` also finds
them inside free text, as a last line of defence for log messages.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

__all__ = ["mask_email", "mask_phone", "mask_text", "mask_url_password"]

_LOCAL_CHAR = r"[^\s@<>()\[\],;:\"']"
_DOMAIN = r"[^\s@<>()\[\],;:\"']+\.[^\s@<>()\[\],;:\"'.]+"
_EMAIL = re.compile(rf"({_LOCAL_CHAR}){_LOCAL_CHAR}*@({_DOMAIN})")
# Numbers that look like phone numbers: starting with +, 00 or 0 and 8+ digits long,
# with spaces or dashes inside. Plain ids (customer 30012010) do not start with 0.
_PHONE = re.compile(r"(?<![\w@])((?:\+|0)\d[\d\s-]{6,}\d)(?![\w@])")


def mask_phone(number: str) -> str:
    digits = re.sub(r"\D", "", number)
    if len(digits) < 4:
        return "***"
    prefix = "+" + digits[:2] if number.strip().startswith("+") else digits[:2]
    return f"{prefix}{'*' * max(len(digits) - 4, 2)}{digits[-2:]}"


#: One address-like run inside a recipient field: anything between separators.
_FIELD_ADDRESS = re.compile(r"([^\s@<>()\[\],;:\"']*)@([^\s@<>()\[\],;:\"']*)")


def mask_email(field: str) -> str:
    """The whole recipient field masked: each address in it as `d***@example.nl`, and
    nothing else of it (no display names, no text between the addresses)."""
    masked = [f"{local[:1]}***@{domain}" if domain else "***"
              for local, domain in _FIELD_ADDRESS.findall(field)]
    return ", ".join(masked) if masked else "***"


def mask_text(text: str) -> str:
    """Mask every e-mail address and phone-number-like run of digits in `text`."""
    text = _EMAIL.sub(lambda m: f"{m.group(1)}***@{m.group(2)}", text)
    return _PHONE.sub(lambda m: mask_phone(m.group(1)), text)


_USERINFO_PASSWORD = re.compile(r"(://[^/@:]*:)[^/@]*@")


def mask_url_password(value: str) -> str:
    """A URL with its password (if any) shown as ****."""
    try:
        password = urlsplit(value).password
    except ValueError:  # not a URL urlsplit can read ("http://[x"); mask by its shape
        return _USERINFO_PASSWORD.sub(r"\1****@", value)
    if password:
        return value.replace(f":{password}@", ":****@", 1)
    return value
