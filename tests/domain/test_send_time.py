"""send_time: catch-up, quiet hours, booked-after-due and started appointments."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bridge.domain.plan import (
    APPOINTMENT_STARTED,
    BOOKED_AFTER_DUE,
    PlanSettings,
    SendTime,
    send_time,
)
from tests.domain.builders import local, settings

DEFAULT = settings()
APPOINTMENT = local(2026, 6, 10, 10)
LONG_BEFORE = local(2026, 6, 1, 9)


def when(
    nominal: datetime,
    *,
    now: datetime = LONG_BEFORE,
    start: datetime = APPOINTMENT,
    created: datetime | None = None,
    rules: PlanSettings = DEFAULT,
) -> SendTime:
    return send_time(nominal, start, created, rules, now)


class TestOutsideQuietHours:
    def test_future_time_stays(self) -> None:
        assert when(local(2026, 6, 9, 10)) == local(2026, 6, 9, 10)

    def test_quiet_hours_end_is_not_quiet(self) -> None:
        assert when(local(2026, 6, 10, 8)) == local(2026, 6, 10, 8)

    def test_no_quiet_hours_configured(self) -> None:
        rules = settings(quiet_hours=None)
        assert when(local(2026, 6, 9, 23), rules=rules) == local(2026, 6, 9, 23)


class TestQuietHours:
    @pytest.mark.parametrize(
        "nominal",
        [
            local(2026, 6, 9, 21),
            local(2026, 6, 9, 23),
            local(2026, 6, 10, 0, 30),
            local(2026, 6, 10, 6),
        ],
    )
    def test_moves_earlier_to_just_before_they_begin(self, nominal: datetime) -> None:
        assert when(nominal) == local(2026, 6, 9, 20, 59)

    def test_early_appointment_right_after_quiet_hours(self) -> None:
        start = local(2026, 6, 10, 8, 15)
        two_hours_before = start - timedelta(hours=2)
        assert when(two_hours_before, start=start) == local(2026, 6, 9, 20, 59)
        assert when(local(2026, 6, 9, 8, 15), start=start) == local(2026, 6, 9, 8, 15)

    def test_appointment_inside_quiet_hours(self) -> None:
        start = local(2026, 6, 10, 7)
        assert when(local(2026, 6, 10, 5), start=start) == local(2026, 6, 9, 20, 59)

    def test_earlier_moment_passed_goes_to_the_end(self) -> None:
        now = local(2026, 6, 9, 22)
        assert when(local(2026, 6, 9, 23), now=now) == local(2026, 6, 10, 8)

    def test_earlier_moment_passed_and_end_too_late_sends_now(self) -> None:
        now = local(2026, 6, 9, 22)
        for start in (local(2026, 6, 10, 7, 30), local(2026, 6, 10, 8)):
            assert when(start - timedelta(hours=2), now=now, start=start) == now

    def test_just_before_quiet_hours_is_still_allowed(self) -> None:
        now = local(2026, 6, 9, 20, 59)
        assert when(local(2026, 6, 9, 23), now=now) == now


class TestCatchUp:
    def test_past_due_is_sent_now(self) -> None:
        now = local(2026, 6, 9, 12)
        assert when(local(2026, 6, 9, 10), now=now) == now

    def test_past_due_during_quiet_hours_waits_for_the_morning(self) -> None:
        now = local(2026, 6, 9, 23)
        assert when(local(2026, 6, 9, 10), now=now) == local(2026, 6, 10, 8)

    def test_without_creation_time_a_late_reminder_is_caught_up(self) -> None:
        now = local(2026, 6, 9, 15, 30)
        assert when(local(2026, 6, 9, 10), now=now, created=None) == now


class TestSkipped:
    def test_booked_after_the_reminder_time(self) -> None:
        created = now = local(2026, 6, 9, 15)
        assert when(local(2026, 6, 9, 10), now=now, created=created) == BOOKED_AFTER_DUE

    def test_booked_before_the_reminder_time_counts(self) -> None:
        created = local(2026, 6, 9, 9, 59)
        now = local(2026, 6, 9, 12)
        assert when(local(2026, 6, 9, 10), now=now, created=created) == now

    @pytest.mark.parametrize("now", [APPOINTMENT, APPOINTMENT + timedelta(minutes=1)])
    def test_appointment_started(self, now: datetime) -> None:
        assert when(local(2026, 6, 9, 10), now=now) == APPOINTMENT_STARTED

    def test_never_at_or_after_the_start(self) -> None:
        assert when(APPOINTMENT) == APPOINTMENT_STARTED
        assert when(APPOINTMENT + timedelta(hours=1)) == APPOINTMENT_STARTED
