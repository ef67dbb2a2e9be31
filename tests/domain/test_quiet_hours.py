"""Quiet hours: parsing, membership (wrapping midnight) and the period around a moment."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bridge.domain.quiet_hours import QuietHours, parse_quiet_hours
from tests.domain.builders import AMS, local

NIGHT = QuietHours(time(21, 0), time(8, 0))
LUNCH = QuietHours(time(12, 0), time(13, 30))


class TestParse:
    def test_window(self) -> None:
        assert parse_quiet_hours("21:00-08:00") == NIGHT
        assert parse_quiet_hours(" 7:05 - 9:30 ") == QuietHours(time(7, 5), time(9, 30))

    @pytest.mark.parametrize("text", ["", "  ", "off", "OFF", "none"])
    def test_switched_off(self, text: str) -> None:
        assert parse_quiet_hours(text) is None

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("21:00", "expected HH:MM-HH:MM"),
            ("21-08", "expected HH:MM-HH:MM"),
            ("21:00-08:00-09:00", "expected HH:MM-HH:MM"),
            ("24:00-08:00", "24:00 is not a time of day"),
            ("21:00-08:60", "08:60 is not a time of day"),
            ("08:00-08:00", "different times"),
        ],
    )
    def test_errors(self, text: str, message: str) -> None:
        with pytest.raises(ValueError, match=message):
            parse_quiet_hours(text)

    def test_aware_times_are_refused(self) -> None:
        with pytest.raises(ValueError, match="without a zone"):
            QuietHours(time(21, 0, tzinfo=UTC), time(8, 0))

    @given(st.text())
    def test_arbitrary_text_raises_only_value_error(self, text: str) -> None:
        with contextlib.suppress(ValueError):
            parse_quiet_hours(text)

    @given(st.from_regex(r"[0-9]{1,2}:[0-9]{2}-[0-9]{1,2}:[0-9]{2}", fullmatch=True))
    def test_clock_like_text_raises_only_value_error(self, text: str) -> None:
        with contextlib.suppress(ValueError):
            parse_quiet_hours(text)


class TestContains:
    @pytest.mark.parametrize(
        ("hour", "minute", "inside"),
        [
            (20, 59, False),
            (21, 0, True),
            (23, 59, True),
            (0, 0, True),
            (7, 59, True),
            (8, 0, False),
            (12, 0, False),
        ],
    )
    def test_wrapping_midnight(self, hour: int, minute: int, inside: bool) -> None:
        assert NIGHT.wraps
        assert NIGHT.contains(local(2026, 6, 10, hour, minute), AMS) is inside

    def test_local_time_counts_not_utc(self) -> None:
        # 20:30 UTC is 22:30 in summer and 21:30 in winter: both inside.
        assert NIGHT.contains(local(2026, 6, 10, 22, 30), AMS)
        assert not NIGHT.contains(local(2026, 6, 10, 20, 30), AMS)
        assert NIGHT.contains(local(2026, 1, 10, 21, 30), AMS)

    def test_window_within_one_day(self) -> None:
        assert not LUNCH.wraps
        assert not LUNCH.contains(local(2026, 6, 10, 11, 59), AMS)
        assert LUNCH.contains(local(2026, 6, 10, 12, 0), AMS)
        assert not LUNCH.contains(local(2026, 6, 10, 13, 30), AMS)


class TestPeriodAround:
    def test_evening_runs_to_next_morning(self) -> None:
        assert NIGHT.period_around(local(2026, 6, 10, 23), AMS) == (
            local(2026, 6, 10, 21),
            local(2026, 6, 11, 8),
        )

    def test_morning_started_the_evening_before(self) -> None:
        assert NIGHT.period_around(local(2026, 6, 11, 0, 30), AMS) == (
            local(2026, 6, 10, 21),
            local(2026, 6, 11, 8),
        )

    def test_across_spring_forward_is_wall_clock(self) -> None:
        begins, ends = NIGHT.period_around(local(2026, 3, 29, 3, 0), AMS)
        assert (begins, ends) == (local(2026, 3, 28, 21), local(2026, 3, 29, 8))
        assert (ends - begins).total_seconds() == 10 * 3600

    def test_across_fall_back_is_wall_clock(self) -> None:
        begins, ends = NIGHT.period_around(local(2026, 10, 24, 22, 0), AMS)
        assert (ends - begins).total_seconds() == 12 * 3600

    def test_results_are_utc(self) -> None:
        begins, ends = NIGHT.period_around(local(2026, 6, 10, 23), AMS)
        assert begins.tzinfo is UTC and ends.tzinfo is UTC

    def test_window_within_one_day(self) -> None:
        assert LUNCH.period_around(local(2026, 6, 10, 12, 45), AMS) == (
            local(2026, 6, 10, 12),
            local(2026, 6, 10, 13, 30),
        )

    def test_outside_is_an_error(self) -> None:
        with pytest.raises(ValueError, match="not inside quiet hours"):
            NIGHT.period_around(local(2026, 6, 10, 12), AMS)
        with pytest.raises(ValueError, match="not inside quiet hours"):
            LUNCH.period_around(local(2026, 6, 10, 14), AMS)


class TestMoveOut:
    NOW = local(2026, 6, 1, 12)
    DEADLINE = local(2026, 6, 11, 10)

    def move(
        self, moment: datetime, now: datetime = NOW, deadline: datetime = DEADLINE
    ) -> datetime:
        return NIGHT.move_out(moment, AMS, now=now, deadline=deadline)

    def test_outside_stays(self) -> None:
        assert self.move(local(2026, 6, 10, 20, 59)) == local(2026, 6, 10, 20, 59)

    def test_inside_moves_to_a_minute_before_the_start(self) -> None:
        assert self.move(local(2026, 6, 10, 21)) == local(2026, 6, 10, 20, 59)
        assert self.move(local(2026, 6, 11, 7, 59)) == local(2026, 6, 10, 20, 59)

    def test_past_start_moves_to_the_end(self) -> None:
        now = local(2026, 6, 10, 21, 30)
        assert self.move(local(2026, 6, 10, 23), now=now) == local(2026, 6, 11, 8)

    def test_end_not_before_the_deadline_sends_now(self) -> None:
        now = local(2026, 6, 10, 21, 30)
        assert self.move(now, now=now, deadline=local(2026, 6, 11, 8)) == now

    def test_across_spring_forward(self) -> None:
        now = local(2026, 3, 28, 22)
        moved = NIGHT.move_out(local(2026, 3, 29, 2), AMS, now=now, deadline=local(2026, 3, 30))
        assert moved == local(2026, 3, 29, 8)
        assert moved.isoformat() == "2026-03-29T06:00:00+00:00"
