"""The account's facts are asked of the booking API once an hour by all processes
together, and `requiresConfirmation` once a minute at most by each."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import pytest
from redis import Redis

from bridge.booking.models import Agenda
from bridge.store import keys
from bridge.store.account_cache import AccountCache
from bridge.sync.account import PROCESS_MEMO_SECONDS, Account
from tests.domain.builders import settings


class FakeApi:
    """Answers the two questions, counting how often it was asked."""

    def __init__(self, required: bool = True, agendas: tuple[int, ...] = (3, 5)) -> None:
        self.required = required
        self.agenda_ids = agendas
        self.asked: list[str] = []

    def requires_confirmation(self) -> bool:
        self.asked.append("requiresConfirmation")
        return self.required

    def get_agendas(self) -> Sequence[Agenda]:
        self.asked.append("getAgendas")
        return [Agenda(id=i) for i in self.agenda_ids]


class Monotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def account(redis: Redis, api: FakeApi, clock: Monotonic | None = None,
            watched: tuple[int, ...] = ()) -> Account:
    return Account(AccountCache(redis), api, rules=settings(), watched=watched,
                   monotonic=clock or Monotonic())


def test_requires_confirmation_is_asked_once_for_every_process(redis: Redis) -> None:
    api = FakeApi(required=True)
    assert account(redis, api).requires_confirmation() is True
    assert account(redis, api).requires_confirmation() is True  # another process
    assert api.asked == ["requiresConfirmation"]
    ttl = redis.ttl(keys.REQUIRES_CONFIRMATION)
    assert 0 < ttl <= keys.ACCOUNT_CACHE_SECONDS


def test_a_process_keeps_its_answer_a_minute_then_reads_the_cache_again(redis: Redis) -> None:
    api, clock = FakeApi(required=True), Monotonic()
    facts = account(redis, api, clock)
    assert facts.requires_confirmation() is True
    api.required = False
    redis.delete(keys.REQUIRES_CONFIRMATION)  # the hour is over
    clock.now += PROCESS_MEMO_SECONDS - 1
    assert facts.requires_confirmation() is True
    assert api.asked == ["requiresConfirmation"]
    clock.now += 2
    assert facts.requires_confirmation() is False
    assert api.asked == ["requiresConfirmation"] * 2


@pytest.mark.parametrize("required", [True, False])
def test_plan_settings_are_the_rules_with_the_accounts_confirmation(
    redis: Redis, required: bool
) -> None:
    rules = settings(quiet_hours=None, notify_cancelled=False)
    facts = Account(AccountCache(redis), FakeApi(required=required), rules=rules, watched=())
    assert facts.plan_settings() == replace(rules, requires_confirmation=required)


def test_watched_agendas_come_from_the_settings_without_asking(redis: Redis) -> None:
    api = FakeApi()
    assert account(redis, api, watched=(9,)).agendas() == (9,)
    assert api.asked == []
    assert redis.get(keys.AGENDAS) is None


def test_without_watched_agendas_every_agenda_is_asked_once_for_every_process(
    redis: Redis,
) -> None:
    api = FakeApi(agendas=(3, 5))
    assert account(redis, api).agendas() == (3, 5)
    assert account(redis, api).agendas() == (3, 5)
    assert api.asked == ["getAgendas"]
    assert 0 < redis.ttl(keys.AGENDAS) <= keys.ACCOUNT_CACHE_SECONDS
