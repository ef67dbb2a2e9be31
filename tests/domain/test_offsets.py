"""Reminder offsets: parsing, wall-clock days across DST, elapsed hours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bridge.domain.offsets import ReminderOffset, parse_offsets
from tests.domain.builders import AMS, at_local, local

DAY = ReminderOffset(1, "d")


class TestParse:
    def test_all_units_in_order(self) -> None:
        assert parse_offsets("1d,2h,30m,45s") == (
            ReminderOffset(1, "d"),
            ReminderOffset(2, "h"),
            ReminderOffset(30, "m"),
            ReminderOffset(45, "s"),
        )

    def test_spaces_and_upper_case(self) -> None:
        assert parse_offsets(" 2D , 3 h ") == (ReminderOffset(2, "d"), ReminderOffset(3, "h"))

    def test_labels(self) -> None:
        assert [offset.label for offset in parse_offsets("1d,02h,30m")] == ["1d", "2h", "30m"]

    def test_empty_means_no_reminders(self) -> None:
        assert parse_offsets("") == ()
        assert parse_offsets("   ") == ()

    @pytest.mark.parametrize(
        ("text", "names"),
        [
            ("1d,2x", "'2x'"),
            ("1d,,2h", "''"),
            ("d", "'d'"),
            ("1.5h", "'1.5h'"),
            ("-1d", "'-1d'"),
            ("1d2h", "'1d2h'"),
            ("0m", "'0m'"),
            ("366d", "'366d'"),
            ("1d,24h,1d", "'1d' is listed twice"),
            ("1d,01d", "'1d' is listed twice"),
        ],
    )
    def test_errors_name_the_bad_part(self, text: str, names: str) -> None:
        with pytest.raises(ValueError, match=names):
            parse_offsets(text)

    def test_non_ascii_digits_are_refused(self) -> None:
        with pytest.raises(ValueError):
            parse_offsets("١d")

    def test_constructor_checks_unit_and_amount(self) -> None:
        with pytest.raises(ValueError, match="unit"):
            ReminderOffset(1, "w")
        with pytest.raises(ValueError, match="more than zero"):
            ReminderOffset(0, "h")
        assert ReminderOffset(365, "d").label == "365d"

    @given(st.text())
    def test_arbitrary_text_raises_only_value_error(self, text: str) -> None:
        try:
            offsets = parse_offsets(text)
        except ValueError:
            return
        assert all(offset.unit in "dhms" for offset in offsets)


class TestDays:
    @pytest.mark.parametrize(
        ("start", "expected"),
        [
            # Spring forward, 29 March 2026: the day before is 23 hours away, or 25.
            (local(2026, 3, 29, 10), (2026, 3, 28, 10, 0)),
            (local(2026, 3, 30, 10), (2026, 3, 29, 10, 0)),
            # Fall back, 25 October 2026.
            (local(2026, 10, 25, 10), (2026, 10, 24, 10, 0)),
            (local(2026, 10, 26, 10), (2026, 10, 25, 10, 0)),
        ],
    )
    def test_same_local_hour_the_day_before(
        self, start: datetime, expected: tuple[int, int, int, int, int]
    ) -> None:
        assert at_local(DAY.due(start, AMS)) == expected

    def test_spring_day_before_is_23_hours(self) -> None:
        start = local(2026, 3, 29, 10)
        assert start - DAY.due(start, AMS) == timedelta(hours=23)

    def test_autumn_day_before_is_25_hours(self) -> None:
        start = local(2026, 10, 25, 10)
        assert start - DAY.due(start, AMS) == timedelta(hours=25)

    def test_result_is_utc(self) -> None:
        assert DAY.due(local(2026, 6, 10, 10), AMS).tzinfo is UTC

    @pytest.mark.parametrize("fold", [0, 1])
    def test_appointment_at_0230_in_the_autumn_fold(self, fold: int) -> None:
        # Either 02:30 of 25 October: the reminder is 02:30 on the 24th (summer time).
        start = local(2026, 10, 25, 2, 30, fold=fold)
        due = DAY.due(start, AMS)
        assert at_local(due) == (2026, 10, 24, 2, 30)
        assert due == local(2026, 10, 24, 2, 30)

    def test_reminder_landing_in_the_autumn_fold_takes_the_first(self) -> None:
        due = DAY.due(local(2026, 10, 26, 2, 30), AMS)
        assert due == local(2026, 10, 25, 2, 30, fold=0)
        assert due < local(2026, 10, 25, 2, 30, fold=1)

    def test_reminder_landing_in_the_spring_gap_goes_earlier(self) -> None:
        # 02:30 on 29 March does not exist; it resolves to 01:30 winter time (00:30 UTC).
        due = DAY.due(local(2026, 3, 30, 2, 30), AMS)
        assert due.isoformat() == "2026-03-29T00:30:00+00:00"
        assert at_local(due) == (2026, 3, 29, 1, 30)

    def test_several_days_across_a_change(self) -> None:
        due = ReminderOffset(3, "d").due(local(2026, 3, 31, 9), AMS)
        assert at_local(due) == (2026, 3, 28, 9, 0)


class TestElapsed:
    def test_hours_are_elapsed_across_spring_forward(self) -> None:
        start = local(2026, 3, 29, 10)
        due = ReminderOffset(24, "h").due(start, AMS)
        assert start - due == timedelta(hours=24)
        assert at_local(due) == (2026, 3, 28, 9, 0)

    def test_hours_are_elapsed_across_fall_back(self) -> None:
        start = local(2026, 10, 25, 4)
        due = ReminderOffset(3, "h").due(start, AMS)
        assert start - due == timedelta(hours=3)
        assert at_local(due) == (2026, 10, 25, 2, 0)

    def test_minutes_and_seconds(self) -> None:
        start = local(2026, 6, 10, 10)
        assert start - ReminderOffset(30, "m").due(start, AMS) == timedelta(minutes=30)
        assert start - ReminderOffset(45, "s").due(start, AMS) == timedelta(seconds=45)
