"""Each agenda's watermark and last poll: written together, read back as numbers."""

from __future__ import annotations

from datetime import UTC, datetime

from redis import Redis

from bridge.store import keys
from bridge.store.sync_state import SyncState

AT = datetime(2026, 11, 30, 7, 0, 30, tzinfo=UTC)


def test_an_agenda_never_polled_has_no_watermark(redis: Redis) -> None:
    state = SyncState(redis)
    assert state.watermark(3) is None
    assert state.last_poll(3) is None


def test_a_poll_moves_the_watermark_and_notes_when(redis: Redis) -> None:
    state = SyncState(redis)
    state.polled(3, 1_800_000_000, AT)
    assert state.watermark(3) == 1_800_000_000
    assert state.last_poll(3) == int(AT.timestamp())
    assert state.watermark(4) is None
    # The key `last_polls` finds by SCAN for the metrics endpoint (poll lag).
    assert redis.get(keys.last_poll(3)) == str(int(AT.timestamp())).encode()
    assert redis.ttl(keys.watermark(3)) == -1  # kept: a lost watermark re-reads the window


def test_every_agendas_last_poll_for_the_metrics(redis: Redis) -> None:
    state = SyncState(redis)
    assert state.last_polls() == {}
    state.polled(3, 1_800_000_000, AT)
    state.polled(250, 1_800_000_000, AT.replace(minute=5))
    redis.set(keys.poll_queued(4), "job")  # other keys of agendas are not polls
    assert state.last_polls() == {3: int(AT.timestamp()),
                                  250: int(AT.replace(minute=5).timestamp())}
