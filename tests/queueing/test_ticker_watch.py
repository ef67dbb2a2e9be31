"""The ticker reads the bridge's epoch first on each tick it leads (`Ticker.watch`), so
a Redis that forgot is noticed before anything is dispatched; a watch that fails does
not stop the clockwork."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from redis import Redis

from bridge.queueing.enqueue import JobWriter
from bridge.queueing.ticker import Intervals, Ticker
from bridge.sending.recovery import Recovery
from bridge.store.epoch import Epochs
from bridge.store.plan_store import PlanStore
from bridge.store.sync_state import SyncState
from sandbox.clock import ManualClock

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def ticker(redis: Redis, clock: ManualClock, watch: Callable[[], object]) -> Ticker:
    return Ticker(redis, JobWriter(redis), PlanStore(redis), clock, Intervals(60, 3600, 300),
                  send_concurrency=1, watch=watch)


def test_the_first_tick_writes_the_epoch(redis: Redis) -> None:
    clock = ManualClock(NOW)
    recovery = Recovery(epochs=Epochs(redis), sms=None, clock=clock,
                        lookback=timedelta(days=90), plans=PlanStore(redis),
                        sync_state=SyncState(redis))
    assert ticker(redis, clock, recovery.watch).tick()["epoch"] is True
    epoch = Epochs(redis).read()
    assert epoch is not None and epoch.started_at == NOW and epoch.lost_at is None


def test_a_failing_watch_leaves_the_tick_going(redis: Redis) -> None:
    def broken() -> None:
        raise ConnectionError("Redis went away")

    report = ticker(redis, ManualClock(NOW), broken).tick()
    assert report["epoch"] is False and report["dispatched"] == 0 and report["polls"] == 1
