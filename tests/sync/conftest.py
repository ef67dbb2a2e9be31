"""The sync logic with real parts: the sandbox over real HTTP, a real Redis, real stores.

`SyncServices` is built here by hand, as `workers.runtime` builds it, so these tests
call `bridge.sync` directly, without a worker or a queue.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from redis import Redis

from bridge.booking import BookingClient, RetryPolicy
from bridge.outbound.contacts import ContactBook
from bridge.store.account_cache import AccountCache
from bridge.store.confirmation_codes import ConfirmationCodes
from bridge.store.periodic_claims import PeriodicClaims
from bridge.store.plan_store import PlanStore
from bridge.store.sync_state import SyncState
from bridge.store.tombstones import Tombstones
from bridge.sync.account import Account
from bridge.sync.services import SyncServices
from sandbox.booking import BookingSandbox
from sandbox.clock import ManualClock
from sandbox.server import SandboxServer
from tests.contract.conftest import API_KEY, API_SECRET, MONDAY_MORNING
from tests.domain.builders import AMS, settings

WINDOW_DAYS = 30


@dataclass
class SyncStack:
    sv: SyncServices
    api: BookingClient
    booking: BookingSandbox
    clock: ManualClock
    redis: Redis


@pytest.fixture
def stack(redis: Redis) -> Iterator[SyncStack]:
    clock = ManualClock(MONDAY_MORNING)
    booking = BookingSandbox(API_KEY, API_SECRET, clock=clock)
    with SandboxServer(booking) as server:
        api = BookingClient(server.api_url, API_KEY, API_SECRET, clock=clock,
                            retry=RetryPolicy(attempts=1, base_delay=0.01, max_delay=0.01))
        sv = SyncServices(
            clock=clock, booking=api, plans=PlanStore(redis),
            account=Account(AccountCache(redis), api, rules=settings(tz=AMS), watched=()),
            state=SyncState(redis), codes=ConfirmationCodes(redis),
            contacts=ContactBook(redis, api, ttl_seconds=3600, language_field="Taal",
                                 default_language="nl",
                                 tombstones=Tombstones(redis, b"k", 3600)),
            periodic_claims=PeriodicClaims(redis), tz=AMS, reconcile_window_days=WINDOW_DAYS,
        )
        yield SyncStack(sv, api, booking, clock, redis)
        api.close()
