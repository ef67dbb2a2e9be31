"""`--practices N` and `--practice-seed SEED`: one sandbox serving several practices.

Kept apart from `cli.py`, as the fault flags are, so `oabridge up` can offer the same
flags with one definition. Practice 1 is the account the other flags describe (the demo
unless `--api-key`/`--data` say otherwise); practices 2..N are generated
(`sandbox/booking/practices.py`).
"""

from __future__ import annotations

import argparse

from sandbox.booking import BookingAccounts, BookingSandbox
from sandbox.booking.practices import MAX_PRACTICES


def practice_count(text: str) -> int:
    """argparse type of `--practices`: a whole number from 1 to MAX_PRACTICES."""
    try:
        count = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 1 <= count <= MAX_PRACTICES:
        raise argparse.ArgumentTypeError(f"must be 1 to {MAX_PRACTICES}, not {count}")
    return count


def add_practice_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--practices",
        type=practice_count,
        default=1,
        metavar="N",
        help="serve N practices (accounts): 1 as the other flags say, 2..N generated "
        "with seeded data (default %(default)s)",
    )
    parser.add_argument(
        "--practice-seed",
        type=int,
        default=0,
        metavar="SEED",
        help="seed of the generated practices' credentials and codes (default %(default)s)",
    )


def booking_accounts(args: argparse.Namespace, first: BookingSandbox) -> BookingAccounts:
    """`first` and the generated practices the flags ask for, on `first`'s clock; the
    generated ones keep their state next to `--db` (`accounts.practice_database`)."""
    return BookingAccounts.generated(
        args.practices, seed=args.practice_seed, database=args.db, first=first
    )


def account_lines(accounts: BookingAccounts, base: str) -> list[str]:
    """The start-up banner's lines for the practices after the first (none for one)."""
    if len(accounts) == 1:
        return []
    lines = []
    for number, account in enumerate(accounts, start=1):
        if number > 1:
            lines += [
                f"  practice {number}: {account.practice_name}",
                f"    api_key:    {account.api_key}",
                f"    api_secret: {account.api_secret}",
            ]
    lines.append(f"  accounts:   {base}/_sandbox/accounts; outbox and settings take ?account=N")
    return lines
