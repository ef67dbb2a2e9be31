"""`Account`: the booking account's facts that sync, sending and replies all plan with.

Whether the account requires confirmation codes decides which messages are planned, so
every observation and every send needs it; which agendas to watch decides what a poll
reads. Both change rarely, so all worker processes together ask the booking API at most
once an hour (`AccountCache`), and this process keeps `requiresConfirmation` for a
minute besides, sparing Redis a read per planned message. One `Account` is built per
worker process; the other packages get its methods as callables.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Protocol

from bridge.booking.models import Agenda
from bridge.domain.plan import PlanSettings
from bridge.store.account_cache import AccountCache

__all__ = ["Account", "AccountApi"]

#: How long this process trusts its own copy of `requiresConfirmation`.
PROCESS_MEMO_SECONDS = 60.0


class AccountApi(Protocol):
    """The two questions about the account that the booking client answers."""

    def requires_confirmation(self) -> bool: ...

    def get_agendas(self) -> Sequence[Agenda]: ...


class Account:
    def __init__(
        self,
        cache: AccountCache,
        api: AccountApi,
        *,
        rules: PlanSettings,
        watched: tuple[int, ...],
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        """`rules`: the message rules from the settings (their `requires_confirmation`
        is replaced by the account's); `watched`: the configured agendas, empty for all."""
        self.cache = cache
        self.api = api
        self.rules = rules
        self.watched = watched
        self.monotonic = monotonic
        self._memo: tuple[float, bool] | None = None

    def requires_confirmation(self) -> bool:
        """The account's `requiresConfirmation`, asked of the API once an hour at most."""
        now = self.monotonic()
        memo = self._memo
        if memo is not None and now - memo[0] < PROCESS_MEMO_SECONDS:
            return memo[1]
        required = self.cache.requires_confirmation()
        if required is None:
            required = self.api.requires_confirmation()
            self.cache.remember_requires_confirmation(required)
        self._memo = (now, required)
        return required

    def plan_settings(self) -> PlanSettings:
        """The message rules for the domain, with the account's confirmation setting."""
        return replace(self.rules, requires_confirmation=self.requires_confirmation())

    def agendas(self) -> tuple[int, ...]:
        """The agendas to watch: from the settings, else every agenda of the account."""
        if self.watched:
            return self.watched
        ids = self.cache.agendas()
        if ids is None:
            ids = tuple(agenda.id for agenda in self.api.get_agendas())
            self.cache.remember_agendas(ids)
        return ids
