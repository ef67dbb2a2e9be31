"""The window a listing reads is the practice's days, and the watermark never goes back."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bridge.sync.listing import VISIBILITY_LAG_SECONDS, Listing, window, window_bounds
from tests.domain.builders import AMS
from tests.sync.conftest import WINDOW_DAYS, SyncStack


def test_the_window_is_from_yesterday_in_the_practices_time_zone() -> None:
    # 23:30 UTC on Saturday 31 October 2026 is already Sunday in Amsterdam.
    late = datetime(2026, 10, 31, 23, 30, tzinfo=UTC)
    assert window(late, AMS, 60) == (date(2026, 10, 31), date(2026, 12, 31))


def test_the_window_bounds_are_local_midnights_around_whole_days() -> None:
    # 25 October 2026 has 25 hours in Amsterdam (the clocks go back).
    low, high = window_bounds(date(2026, 10, 25), date(2026, 10, 25), AMS)
    assert low == datetime(2026, 10, 24, 22, 0, tzinfo=UTC)
    assert high == datetime(2026, 10, 25, 23, 0, tzinfo=UTC)


def test_the_next_watermark_is_the_apis_clock_at_the_first_page_less_the_lag(
    stack: SyncStack,
) -> None:
    agenda = stack.api.get_agendas()[0].id
    listing = Listing(stack.sv, agenda, None)
    assert (listing.start, listing.end) == window(stack.clock.now(), AMS, WINDOW_DAYS)
    list(listing)
    answered = int(stack.clock.now().timestamp())
    assert listing.server_time == answered
    assert listing.next_watermark(0) == answered - VISIBILITY_LAG_SECONDS
    assert listing.next_watermark(answered + 5) == answered + 5  # never backwards
