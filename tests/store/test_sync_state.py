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
    # The keys the metrics endpoint reads (poll lag) by pattern.
    assert redis.get(keys.last_poll(3)) == str(int(AT.timestamp())).encode()
    assert redis.ttl(keys.watermark(3)) == -1  # kept: a lost watermark re-reads the window
