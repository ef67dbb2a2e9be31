"""The inbound reconciliation's window: since the watermark less the overlap, the first
window without one, never beyond the retention; the watermark only moves forward."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from redis import Redis

from bridge.store import keys
from bridge.store.inbound_window import FIRST_WINDOW_INTERVALS, OVERLAP_SECONDS, InboundWindow

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
DAY = 86400


def test_the_documented_bounds() -> None:
    assert (OVERLAP_SECONDS, FIRST_WINDOW_INTERVALS) == (120, 2)  # see tests/security


def test_without_a_watermark_the_last_intervals(redis: Redis) -> None:
    window = InboundWindow(redis, 300, 90 * DAY)
    assert window.watermark() is None
    assert window.start(NOW) == NOW - timedelta(seconds=600)


def test_since_the_watermark_less_the_overlap(redis: Redis) -> None:
    window = InboundWindow(redis, 300, 90 * DAY)
    window.complete(NOW - timedelta(hours=5))
    assert window.start(NOW) == NOW - timedelta(hours=5, seconds=OVERLAP_SECONDS)


def test_never_beyond_the_retention(redis: Redis) -> None:
    window = InboundWindow(redis, 300, DAY)
    window.complete(NOW - timedelta(days=3))
    assert window.start(NOW) == NOW - timedelta(days=1)
    assert InboundWindow(redis, 10 * DAY, DAY).start(NOW) == NOW - timedelta(days=1)


def test_the_watermark_only_moves_forward(redis: Redis) -> None:
    window = InboundWindow(redis, 300, 90 * DAY)
    window.complete(NOW)
    window.complete(NOW - timedelta(minutes=10))  # a slower scan that began earlier
    assert window.watermark() == int(NOW.timestamp())
    assert redis.get(keys.INBOUND_WATERMARK) == str(int(NOW.timestamp())).encode()


def test_whole_seconds_as_twilio_stamps_them(redis: Redis) -> None:
    window = InboundWindow(redis, 300, 90 * DAY)
    assert window.start(NOW + timedelta(microseconds=700_000)) == NOW - timedelta(seconds=600)


def test_a_watermark_ahead_of_the_clock_is_not_trusted(redis: Redis) -> None:
    window = InboundWindow(redis, 300, 90 * DAY)
    window.complete(NOW + timedelta(hours=1))  # a worker whose clock runs ahead
    assert window.start(NOW) <= NOW - timedelta(seconds=OVERLAP_SECONDS)
    assert window.start(NOW) == NOW - timedelta(seconds=FIRST_WINDOW_INTERVALS * 300)


def test_the_window_always_reaches_the_overlap_back(redis: Redis) -> None:
    assert InboundWindow(redis, 30, 90 * DAY).start(NOW) == NOW - timedelta(
        seconds=OVERLAP_SECONDS)  # a first window shorter than the overlap
