"""`BookingAccounts`: several OnlineAfspraken accounts behind the one `/APIREST` endpoint.

The real service tells accounts apart by the request's `api_key` alone, so the sandbox
does too: each key leads to its own `BookingSandbox` (its own database, hence its own
appointments, customers, outbox and settings). A key no account has goes to the first
account, which refuses it exactly as a single-account sandbox refuses a wrong key.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from sandbox.booking.practices import practices
from sandbox.booking.sandbox import BookingSandbox
from sandbox.clock import Clock, SystemClock


def practice_database(path: str, number: int) -> str:
    """Where practice `number` keeps its state: `:memory:`, `path` itself for practice 1,
    else `path` with `.practice<number>` before its suffix (`s.sqlite3` ->
    `s.practice2.sqlite3`), so a one-practice sandbox keeps using the file it always did."""
    if path == ":memory:" or number == 1:
        return path
    file = Path(path)
    return str(file.with_name(f"{file.stem}.practice{number}{file.suffix}"))


def _sent_key(params: Mapping[str, str]) -> str | None:
    """The `api_key` sent (names match in any case), or None if absent or ambiguous."""
    values = {value for name, value in params.items() if name.lower() == "api_key"}
    return values.pop() if len(values) == 1 else None


class BookingAccounts:
    """Accounts by API key, in order (account 1 first), sharing one clock."""

    def __init__(self, accounts: Sequence[BookingSandbox]) -> None:
        if not accounts:
            raise ValueError("a sandbox needs at least one account")
        self._accounts = list(accounts)
        self._by_key = {account.api_key: account for account in self._accounts}
        if len(self._by_key) != len(self._accounts):
            raise ValueError("every account needs an API key of its own")
        if any(account.clock is not self.clock for account in self._accounts):
            raise ValueError("the accounts of one sandbox share one clock")

    @classmethod
    def generated(
        cls,
        count: int,
        *,
        seed: int = 0,
        clock: Clock | None = None,
        database: str = ":memory:",
        first: BookingSandbox | None = None,
    ) -> BookingAccounts:
        """The demo practice and `count - 1` generated ones (`practices.py`), each with
        its seeded data; `first`, if given, replaces the demo practice and its clock is
        the one all share (`clock` is then not used)."""
        shared: Clock = first.clock if first is not None else clock or SystemClock()
        accounts: list[BookingSandbox] = []
        try:
            for practice in practices(count, seed):
                if practice.number == 1 and first is not None:
                    accounts.append(first)
                    continue
                accounts.append(
                    BookingSandbox(
                        practice.api_key,
                        practice.api_secret,
                        clock=shared,
                        database=practice_database(database, practice.number),
                        data=practice.data,
                    )
                )
            return cls(accounts)
        except BaseException:
            for account in accounts:
                if account is not first:
                    account.close()
            raise

    @property
    def first(self) -> BookingSandbox:
        return self._accounts[0]

    @property
    def clock(self) -> Clock:
        return self.first.clock

    def __len__(self) -> int:
        return len(self._accounts)

    def __iter__(self) -> Iterator[BookingSandbox]:
        return iter(self._accounts)

    def by_key(self, api_key: str) -> BookingSandbox | None:
        return self._by_key.get(api_key)

    def by_number(self, number: int) -> BookingSandbox | None:
        """Account `number`, counted from 1 as the start-up banner does."""
        return self._accounts[number - 1] if 1 <= number <= len(self._accounts) else None

    def handle(self, params: Mapping[str, str]) -> str:
        """Answer one API call as the account its `api_key` names."""
        key = _sent_key(params)
        account = None if key is None else self._by_key.get(key)
        return (account or self.first).handle(params)

    def describe(self) -> list[dict[str, object]]:
        """Every account's number, name and credentials, for `/_sandbox/accounts`."""
        return [
            {
                "account": number,
                "name": account.practice_name,
                "api_key": account.api_key,
                "api_secret": account.api_secret,
            }
            for number, account in enumerate(self._accounts, start=1)
        ]

    def close(self) -> None:
        for account in self._accounts:
            account.close()


def accounts_of(booking: BookingSandbox | BookingAccounts) -> BookingAccounts:
    """One account is a sandbox with one account."""
    return booking if isinstance(booking, BookingAccounts) else BookingAccounts([booking])
