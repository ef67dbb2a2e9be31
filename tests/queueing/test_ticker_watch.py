"""The ticker reads the bridge's epoch first on each tick, leading or not
(`Ticker.watch`), so a Redis that forgot is noticed before anything is dispatched, also
by a worker that never led and without SMS to ask; a watch that fails does not stop the
clockwork."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from redis import Redis

from bridge.outbound.errors import SendHeldBack
from bridge.queueing.enqueue import JobWriter
from bridge.queueing.ticker import Intervals, Ticker
from bridge.sending.recovery import Recovery
from bridge.store import keys
from bridge.store.epoch import EPOCH, Epochs
from bridge.store.plan_store import PlanStore
from bridge.store.sync_state import SyncState
from sandbox.clock import ManualClock

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def ticker(redis: Redis, clock: ManualClock, watch: Callable[[bool], object]) -> Ticker:
    return Ticker(redis, JobWriter(redis), PlanStore(redis), clock, Intervals(60, 3600, 300),
                  send_concurrency=1, watch=watch)


def e_mail_only(redis: Redis, clock: ManualClock) -> Recovery:
    """One process's recovery, with no SMS to ask Twilio with."""
    return Recovery(epochs=Epochs(redis), sms=None, clock=clock,
                    lookback=timedelta(days=90), plans=PlanStore(redis),
                    sync_state=SyncState(redis))


def test_the_first_tick_writes_the_epoch(redis: Redis) -> None:
    clock = ManualClock(NOW)
    recovery = e_mail_only(redis, clock)
    assert ticker(redis, clock, recovery.watch).tick()["epoch"] is True
    epoch = Epochs(redis).read()
    assert epoch is not None and epoch.started_at == NOW and epoch.lost_at is None


def test_a_failing_watch_leaves_the_tick_going(redis: Redis) -> None:
    def broken(leading: bool) -> None:
        raise ConnectionError("Redis went away")

    report = ticker(redis, ManualClock(NOW), broken).tick()
    assert report["epoch"] is False and report["dispatched"] == 0 and report["polls"] == 1


def test_a_worker_that_never_led_sees_a_loss_without_sms(redis: Redis) -> None:
    """Two worker parents (one leads) and a send job's process, e-mail only. Redis
    forgets (the epoch and the ticker lease gone): the job's process, which never saw
    the epoch, writes nothing and holds its send back; the parent that never led takes
    the lease and decides the loss, because it read the epoch on every tick."""
    clock = ManualClock(NOW)
    leader = ticker(redis, clock, e_mail_only(redis, clock).watch)
    other = ticker(redis, clock, e_mail_only(redis, clock).watch)
    assert leader.tick()["leader"] is True
    assert other.tick() == {"leader": False, "epoch": True}
    first = Epochs(redis).read()
    assert first is not None and first.lost_at is None

    redis.delete(EPOCH, keys.TICKER_LEASE)  # what an emptied Redis lost of these two
    clock.advance(timedelta(seconds=3))
    job = e_mail_only(redis, clock)
    with pytest.raises(SendHeldBack, match="epoch not yet written"):
        job.epoch()
    assert Epochs(redis).read() is None  # a send never writes a first start
    assert other.tick()["leader"] is True
    lost = Epochs(redis).read()
    assert lost is not None and lost.id != first.id
    assert lost.lost_at == clock.now() and lost.recovering
    assert job.epoch() == lost
    leader.tick()
    assert Epochs(redis).read() == lost and Epochs(redis).counts() == {"memory_lost": 1}
