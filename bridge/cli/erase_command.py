"""`oabridge erase --phone N` / `--customer ID` [`--at-provider`]: remove what is held
about a person, and keep them removed.

The erasure leaves tombstones (`bridge.store.tombstones`) that every reconciliation,
poll and retried job honours for the retention. By customer id, the number and address
come from the cached contact or, when none is cached, from the booking API
(`getCustomer`). `--at-provider` also deletes the person's messages at Twilio
(`bridge.cli.provider_erasure`) and prints, by SID, each it could not delete.
`--lift` removes the tombstones of a number or a customer (their number and address
too) when the person asks to be served again before the retention has passed. Erasing
a number also buries the customers whose cached contact carried it (printed): that
person gets no e-mail either, nor messages after a change of number upstream; lifting
the number lifts those customers with it (`Tombstones.bury_with`).
It refuses to run without a key for the tombstones (`Settings.erasure_secret` empty):
HMAC under an empty key is a hash anyone can test every number against.

Exit status: 0 when everything was erased; 2 for an unusable `--phone` or no key; 3
when the bridge's records are erased but something was left: a message Twilio did not
delete (yet), a listing Twilio refused, or a customer the booking API could not be
asked about.
Running the same command again finishes the job.
"""

from __future__ import annotations

import argparse
from typing import Any

from bridge.booking import BookingClient, BookingError, BookingNotFoundError
from bridge.cli.provider_erasure import ProviderErasure, delete_messages, list_messages_of
from bridge.observability.masking import mask_phone
from bridge.outbound.contacts import contact_from_customer, to_e164
from bridge.outbound.sms import SmsSender
from bridge.settings import Settings, load_settings
from bridge.store.connection import connect
from bridge.store.erasure import Erasure, Removed
from bridge.store.tombstones import Tombstones, customer, derive_key, email, phone, sid

INCOMPLETE = 3


def add_command(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "erase", help="remove everything the bridge holds about one person"
    )
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--phone", help="a phone number (any common notation)")
    who.add_argument("--customer", type=int, help="an OnlineAfspraken customer id")
    what = parser.add_mutually_exclusive_group()
    what.add_argument("--at-provider", action="store_true",
                      help="also delete the person's messages at Twilio")
    what.add_argument("--lift", action="store_true",
                      help="remove the tombstones instead: the person is served again")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    if not settings.erasure_secret:  # derive_key("") is a key anyone can compute
        print("oabridge: erase needs OABRIDGE_ERASURE_KEY (or OABRIDGE_API_SECRET) set: "
              "without it the tombstones' key is public")
        return 2
    redis = connect(settings.redis_target)
    tombstones = Tombstones(redis, derive_key(settings.erasure_secret),
                            settings.retention_days * 86400)
    erasure = Erasure(redis, tombstones)
    problems: list[str] = []
    number = to_e164(args.phone) if args.phone is not None else None
    if args.phone is not None and number is None:
        print(f"oabridge: --phone {args.phone!r} is not a valid phone number")
        return 2
    if args.lift:
        return _lift(settings, erasure, number, args.customer)
    if number is not None:
        numbers = [number]
        removed = erasure.erase_phone(number)
        who = f"phone {mask_phone(number)}"
    else:
        numbers, addresses = _contact_details(settings, erasure, args.customer, problems)
        removed = erasure.erase_customer(args.customer, numbers, addresses)
        who = f"customer {args.customer}"
    print(f"erased for {who}: {removed.summary()}; "
          f"kept from coming back for {settings.retention_days} days")
    if removed.customers:
        print("also kept from being served, their cached contact carrying the number: "
              f"customer {', '.join(map(str, sorted(removed.customers)))} "
              "(lifted with the number)")
    if args.at_provider:
        _at_provider(settings, tombstones, numbers, removed, problems)
    for problem in problems:
        print(problem)
    return INCOMPLETE if problems else 0


def _lift(settings: Settings, erasure: Erasure, number: str | None,
          customer_id: int | None) -> int:
    problems: list[str] = []
    marks = [phone(number)] if number else []
    if customer_id is not None:
        numbers, addresses = _contact_details(settings, erasure, customer_id, problems)
        marks += [customer(customer_id), *(phone(n) for n in numbers),
                  *(email(a) for a in addresses)]
    lifted = erasure.tombstones.lift(*marks)
    print(f"tombstones lifted: {lifted}; the bridge will record and message this person again")
    for problem in problems:
        print(problem)
    return INCOMPLETE if problems else 0


def _contact_details(settings: Settings, erasure: Erasure, customer_id: int,
                     problems: list[str]) -> tuple[list[str], list[str]]:
    """The customer's number and address: cached, else from `getCustomer`."""
    cached = erasure.cached_contact(customer_id)
    if cached is not None:
        return [cached["mobile"]] if cached.get("mobile") else [], []  # address: erased with it
    try:
        with BookingClient(settings.api_url, settings.api_key,
                           settings.api_secret.get_secret_value(),
                           timeout=settings.api_timeout) as booking:
            customer = booking.get_customer(customer_id)
    except BookingNotFoundError:
        return [], []  # unknown upstream: only what is held under the id
    except BookingError as exc:
        problems.append(f"NOT erased by number and address: the booking API could not be "
                        f"asked about customer {customer_id} ({type(exc).__name__}); "
                        "run the erase again")
        return [], []
    contact = contact_from_customer(customer, settings.language_field,
                                    settings.default_language)
    numbers = {n for n in (contact.mobile, to_e164(customer.mobile_phone or ""),
                           to_e164(customer.phone or "")) if n}
    addresses = {a for a in (contact.email, customer.email.strip()) if a}
    return sorted(numbers), sorted(addresses)


def _at_provider(settings: Settings, tombstones: Tombstones, numbers: list[str],
                 removed: Removed, problems: list[str]) -> None:
    if not settings.twilio_account_sid:
        problems.append("--at-provider: Twilio is not configured; nothing deleted there")
        return
    sms = SmsSender(
        settings.twilio_account_sid, settings.twilio_auth_token.get_secret_value(),
        sender=settings.twilio_from, messaging_service_sid=settings.twilio_messaging_service_sid,
        base_url=settings.twilio_base_url, connections=1,
    )
    report = ProviderErasure()
    sids = list_messages_of(sms.client, numbers, report) | removed.sids
    tombstones.bury(*(sid(s) for s in sids))  # before deleting: never recorded meanwhile
    delete_messages(sms.client, sids, report)
    for line in report.lines():
        print(line)
    if not report.complete:
        problems.append(f"--at-provider: {len(report.not_deleted)} left at Twilio (above)")
