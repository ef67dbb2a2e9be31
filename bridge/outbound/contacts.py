"""A customer's contact details as the senders need them, normalised and cached.

Phone numbers are normalised to E.164 with `phonenumbers` (default region NL, so
`06-12345678` becomes `+31612345678`); a number that is not a valid mobile number is
a recorded reason (`invalid_number`, `not_a_mobile_number`), never a crash.

An e-mail address is parsed with `email-validator` (syntax only, no DNS look-up) and
must be exactly one mailbox: a field holding a list (`a@x.nl, b@y.nl`), a display name,
a group, a quoted local part or a line break would put more recipients or headers in
`To`, so such a customer gets no e-mail, for the reason `INVALID_EMAIL`. The
language comes from a customer extra field (`OABRIDGE_LANGUAGE_FIELD`, default
`Taal`), else the default language. Details are cached in Redis and dropped when a
`customer.changed` notice arrives.

An erased customer (their id, number or address has a tombstone,
`bridge.store.tombstones`) has no contact: the book does not ask the booking API about
an erased id, and details fetched or cached for an erased person are dropped, so no
path (a send, the language of an answer about their appointment) caches them again.
The check after caching catches an erasure that ran while the details were fetched.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from redis import Redis

from bridge.booking import BookingClient, BookingNotFoundError, Customer
from bridge.store import keys
from bridge.store.tombstones import Tombstones, customer, email, phone

__all__ = [
    "ERASED",
    "INVALID_EMAIL",
    "Contact",
    "ContactBook",
    "contact_from_customer",
    "normalise_email",
    "normalise_mobile",
    "to_e164",
]

_SMS_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    phonenumbers.PhoneNumberType.PERSONAL_NUMBER,
}
LANGUAGES = ("nl", "en")
#: Why a customer whose address field is not exactly one mailbox gets no e-mail.
INVALID_EMAIL = "invalid e-mail address"
#: Why an erased customer has no contact (also the skip reason of a message to them).
ERASED = "erased"


@dataclass(frozen=True, slots=True)
class Contact:
    customer_id: int
    first_name: str
    full_name: str
    mobile: str | None  # E.164
    mobile_problem: str | None
    email: str | None
    language: str
    #: Why `email` is None when the customer has an address field (a default, so a
    #: contact cached by an earlier release still loads).
    email_problem: str | None = None


def normalise_mobile(raw: str, region: str = "NL") -> tuple[str | None, str | None]:
    """(E.164 number, None) or (None, why not)."""
    if not raw.strip():
        return None, "no_mobile_number"
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None, "invalid_number"
    if not phonenumbers.is_valid_number(number):
        return None, "invalid_number"
    if phonenumbers.number_type(number) not in _SMS_TYPES:
        return None, "not_a_mobile_number"
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), None


def normalise_email(raw: str) -> tuple[str | None, str | None]:
    """(the one mailbox, None), (None, None) for an empty field, or (None, INVALID_EMAIL).

    The mailbox is the field as given, trimmed, not `email-validator`'s normalised form:
    the message log and `oabridge erase --customer` find a customer's mail by it."""
    field = raw.strip(" \t")
    if not field:
        return None, None
    try:
        validate_email(field, check_deliverability=False, allow_display_name=False,
                       allow_quoted_local=False, allow_domain_literal=False)
    except EmailNotValidError:
        return None, INVALID_EMAIL
    return field, None


def to_e164(raw: str, region: str = "NL") -> str | None:
    """Any valid number (mobile or not) in E.164, or None."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def contact_from_customer(
    customer: Customer, language_field: str, default_language: str
) -> Contact:
    mobile, problem = normalise_mobile(customer.mobile_phone)
    if mobile is None and customer.phone:  # some practices keep the mobile in Phone
        fallback, _ = normalise_mobile(customer.phone)
        if fallback is not None:
            mobile, problem = fallback, None
    language = customer.extra.get(language_field, "").strip().lower()[:2]
    email, email_problem = normalise_email(customer.email)
    return Contact(
        customer_id=customer.id,
        first_name=customer.first_name,
        full_name=customer.full_name,
        mobile=mobile,
        mobile_problem=problem,
        email=email,
        language=language if language in LANGUAGES else default_language,
        email_problem=email_problem,
    )


class ContactBook:
    """Contacts by customer id: from the Redis cache, else from `getCustomer`."""

    def __init__(
        self,
        redis: Redis,
        booking: BookingClient,
        *,
        tombstones: Tombstones,
        ttl_seconds: int,
        language_field: str,
        default_language: str,
    ) -> None:
        self.redis = redis
        self.booking = booking
        self.tombstones = tombstones
        self.ttl_seconds = ttl_seconds
        self.language_field = language_field
        self.default_language = default_language

    def get(self, customer_id: int) -> Contact | None:
        """The contact, or None when the customer does not exist (any more) or was erased."""
        return self.lookup(customer_id)[0]

    def lookup(self, customer_id: int) -> tuple[Contact | None, str]:
        """(the contact, "") or (None, `ERASED` | "no_customer")."""
        cached = self.redis.get(keys.customer_cache(customer_id))
        if cached is not None:
            contact = _checked(Contact(**json.loads(cached)))
        else:
            if self.tombstones.holds(customer(customer_id)):  # not even asked about
                return None, ERASED
            try:
                found = self.booking.get_customer(customer_id)
            except BookingNotFoundError:
                return None, "no_customer"
            contact = contact_from_customer(found, self.language_field, self.default_language)
            if self.ttl_seconds:
                self.redis.set(keys.customer_cache(customer_id), json.dumps(asdict(contact)),
                               ex=self.ttl_seconds)
        # After the cache write: an erasure that swept meanwhile is found here.
        if self.tombstones.holds(customer(customer_id), phone(contact.mobile or ""),
                                 email(contact.email or "")):
            self.forget(customer_id)
            return None, ERASED
        return contact, ""

    def forget(self, customer_id: int) -> int:
        return int(self.redis.delete(keys.customer_cache(customer_id)))


def _checked(contact: Contact) -> Contact:
    """A cached contact with its address parsed again: an earlier release cached any
    field with an `@` in it."""
    if contact.email is None:
        return contact
    email, problem = normalise_email(contact.email)
    return replace(contact, email=email, email_problem=problem)
