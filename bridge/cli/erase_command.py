"""`oabridge erase --phone N` / `--customer ID`: remove what is held about a person."""

from __future__ import annotations

import argparse
from typing import Any

from bridge.observability.masking import mask_phone
from bridge.outbound.contacts import to_e164
from bridge.settings import load_settings
from bridge.store.connection import connect
from bridge.store.erasure import Erasure


def add_command(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "erase", help="remove everything the bridge holds about one person"
    )
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--phone", help="a phone number (any common notation)")
    who.add_argument("--customer", type=int, help="an OnlineAfspraken customer id")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    erasure = Erasure(connect(load_settings().redis_url))
    if args.phone is not None:
        number = to_e164(args.phone)
        if number is None:
            print(f"oabridge: --phone {args.phone!r} is not a valid phone number")
            return 2
        removed = erasure.erase_phone(number)
        who = f"phone {mask_phone(number)}"
    else:
        removed = erasure.erase_customer(args.customer)
        who = f"customer {args.customer}"
    print(f"erased for {who}: {removed.summary()}")
    return 0
