"""Which numbers a message may go to and come from, and which deliveries fail later.

Two kinds of failure exist at Twilio and the bridge must handle both:

* **refused at creation** (HTTP 400, the message is never created): Twilio's documented
  test ("magic") numbers as `To` give their documented codes, any `To` that is not a
  valid E.164 number gives 21211, and senders the account does not own give 21606;
* **accepted, then not delivered**: the message is created (201), then its status
  callbacks end in `undelivered` or `failed` with a 30xxx error code. Twilio has no magic
  numbers for that, so the sandbox uses a rule: a `To` number that *ends in* one of the
  configured suffixes gets that suffix's error code. By default the suffix is the code
  itself, e.g. `+31612330003` ends in `30003` and is undelivered with 30003.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass

import phonenumbers

from sandbox.twilio import errors
from sandbox.twilio.demo import MAGIC_VALID_SENDER

E164 = re.compile(r"\+[1-9][0-9]{1,14}")
MESSAGING_SERVICE_SID = re.compile(r"MG[0-9a-f]{32}")
# An alphanumeric sender ID: 1-11 letters, digits or spaces, at least one letter.
ALPHANUMERIC_SENDER = re.compile(r"(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}")

# Twilio's test numbers as recipients (https://www.twilio.com/docs/iam/test-credentials).
MAGIC_RECIPIENTS: dict[str, int] = {
    "+15005550001": 21211,  # invalid number
    "+15005550002": 21612,  # cannot route to this number
    "+15005550003": 21408,  # no international permissions
    "+15005550004": 21610,  # blocked (unsubscribed) recipient
    "+15005550009": 21614,  # not SMS-capable
}
# ... and as senders.
MAGIC_SENDERS: dict[str, int] = {
    "+15005550001": 21212,  # invalid sender
    "+15005550007": 21606,  # not owned by the account
    "+15005550008": 21611,  # full SMS queue
}

# Codes after which the message never left Twilio (`failed`); the others reached the
# carrier (`sent`) and came back `undelivered`.
FAILED_CODES = frozenset({30001, 30002})
DELIVERY_ERROR_MESSAGES: dict[int, str] = {
    30001: "Queue overflow",
    30002: "Account suspended",
    30003: "Unreachable destination handset",
    30004: "Message blocked",
    30005: "Unknown destination handset",
    30006: "Landline or unreachable carrier",
    30007: "Message filtered",
    30008: "Unknown error",
}
DEFAULT_DELIVERY_FAILURES: dict[str, int] = {
    str(code): code for code in (30001, 30003, 30004, 30005, 30006, 30007, 30008)
}


def is_valid_e164(number: str) -> bool:
    """Strict E.164 (`+` and digits only) and a number that exists in its numbering plan."""
    if not E164.fullmatch(number):
        return False
    try:
        return bool(phonenumbers.is_valid_number(phonenumbers.parse(number, None)))
    except phonenumbers.NumberParseException:
        return False


def country_of(number: str) -> str:
    """ISO country code of a number (`NL`), or an empty string when unknown."""
    try:
        region = phonenumbers.region_code_for_number(phonenumbers.parse(number, None))
    except phonenumbers.NumberParseException:
        return ""
    return region if region and region != "ZZ" else ""


def check_recipient(to: str, sender: str) -> None:
    """Raise Twilio's creation-time error for a `To` it would refuse."""
    code = MAGIC_RECIPIENTS.get(to)
    if code == 21612:
        raise errors.unroutable(to, sender)
    if code == 21408:
        raise errors.no_geo_permission(to)
    if code == 21610:
        raise errors.unsubscribed(to)
    if code == 21614:
        raise errors.not_sms_capable(to)
    if code == 21211 or not is_valid_e164(to):
        raise errors.invalid_to(to)


def check_sender(sender: str, owned: Collection[str]) -> None:
    """Raise Twilio's error for a `From` the account cannot send from."""
    code = MAGIC_SENDERS.get(sender)
    if code == 21212:
        raise errors.invalid_from(sender)
    if code == 21611:
        raise errors.queue_full(sender)
    if code is None and (sender in owned or sender == MAGIC_VALID_SENDER):
        return
    if code is None and ALPHANUMERIC_SENDER.fullmatch(sender):
        return  # alphanumeric sender IDs need no number (allowed in the Netherlands)
    if code is None and not E164.fullmatch(sender):
        raise errors.invalid_from(sender)
    raise errors.from_not_owned(sender)


def check_service(sid: str, services: Collection[str]) -> None:
    if not MESSAGING_SERVICE_SID.fullmatch(sid):
        raise errors.invalid_service(sid)
    if sid not in services:
        raise errors.unknown_service(sid)


@dataclass(frozen=True)
class Outcome:
    """How a created message ends: `delivered`, or `undelivered`/`failed` with a code."""

    status: str
    error_code: int | None = None

    @property
    def error_message(self) -> str | None:
        if self.error_code is None:
            return None
        return DELIVERY_ERROR_MESSAGES.get(self.error_code, "Delivery failed")


DELIVERED = Outcome("delivered")


def delivery_outcome(to: str, failures: Mapping[str, int]) -> Outcome:
    """The outcome for `to` under a suffix -> error-code rule set (longest suffix wins)."""
    for suffix in sorted(failures, key=len, reverse=True):
        if to.endswith(suffix):
            code = failures[suffix]
            return Outcome("failed" if code in FAILED_CODES else "undelivered", code)
    return DELIVERED


def validate_failures(value: object) -> dict[str, int]:
    """A delivery-failure rule set from JSON: `{"<digits suffix>": <30xxx code>, ...}`."""
    if not isinstance(value, dict):
        raise ValueError('"delivery_failures" must be an object of suffix -> error code')
    rules: dict[str, int] = {}
    for suffix, code in value.items():
        if not (isinstance(suffix, str) and re.fullmatch(r"\+?[0-9]{1,15}", suffix)):
            raise ValueError(f"delivery_failures: {suffix!r} is not a digit suffix")
        if not (isinstance(code, int) and not isinstance(code, bool) and 30000 <= code < 40000):
            raise ValueError(f"delivery_failures: {code!r} is not a 30xxx error code")
        rules[suffix] = code
    return rules
