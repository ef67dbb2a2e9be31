"""desired_schedule, notices_for and PlanSettings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bridge.booking.models import Label, RecordStatus
from bridge.domain.events import Event, EventKind
from bridge.domain.offsets import parse_offsets
from bridge.domain.plan import (
    APPOINTMENT_STARTED,
    BOOKED_AFTER_DUE,
    MessageKind,
    PlannedMessage,
    PlanSettings,
    Skipped,
    desired_schedule,
    notices_for,
)
from bridge.domain.quiet_hours import parse_quiet_hours
from bridge.domain.snapshot import Snapshot
from tests.domain.builders import AMS, at_local, local, settings, snapshot

DEFAULT = settings()
NOW = local(2026, 6, 1, 12)
APPOINTMENT = local(2026, 6, 10, 10)  # the builder's default start


class TestSettings:
    def test_default(self) -> None:
        rules = PlanSettings.default()
        assert rules.reminder_offsets == parse_offsets("1d")
        assert rules.quiet_hours == parse_quiet_hours("21:00-08:00")
        assert rules.tz == AMS
        assert rules.requires_confirmation
        assert rules.notify_rescheduled and rules.notify_cancelled

    def test_duplicate_offsets_are_refused(self) -> None:
        with pytest.raises(ValueError, match="must differ"):
            settings(reminder_offsets=parse_offsets("1d") * 2)


class TestSchedule:
    def test_one_reminder_the_day_before(self) -> None:
        snap = snapshot(start=local(2026, 3, 29, 10), created=local(2026, 3, 1, 9))
        planned, skipped = desired_schedule(snap, DEFAULT, local(2026, 3, 2, 12))
        assert skipped == ()
        (reminder,) = planned
        assert reminder.key == "4711:reminder:1d:1774771200"
        assert reminder.kind is MessageKind.REMINDER
        assert reminder.variant == "1d"
        assert at_local(reminder.send_at) == (2026, 3, 28, 10, 0)

    def test_one_reminder_per_offset_in_order(self) -> None:
        rules = settings(reminder_offsets=parse_offsets("1d,2h,30m"))
        planned, _ = desired_schedule(snapshot(), rules, NOW)
        assert [(m.variant, at_local(m.send_at)) for m in planned] == [
            ("1d", (2026, 6, 9, 10, 0)),
            ("2h", (2026, 6, 10, 8, 0)),
            ("30m", (2026, 6, 10, 9, 30)),
        ]

    def test_pending_gets_a_confirmation_prompt_now(self) -> None:
        snap = snapshot(label=Label.PENDING)
        planned, _ = desired_schedule(snap, DEFAULT, NOW)
        prompt = planned[-1]
        assert prompt == PlannedMessage(4711, MessageKind.CONFIRM_REQUEST, snap.start, NOW)
        assert prompt.key == f"4711:confirm_request::{int(snap.start.timestamp())}"

    def test_prompt_only_when_the_account_requires_it(self) -> None:
        rules = settings(requires_confirmation=False)
        planned, _ = desired_schedule(snapshot(label=Label.PENDING), rules, NOW)
        assert [m.kind for m in planned] == [MessageKind.REMINDER]

    def test_no_prompt_once_approved(self) -> None:
        planned, _ = desired_schedule(snapshot(label=Label.APPROVED), DEFAULT, NOW)
        assert [m.kind for m in planned] == [MessageKind.REMINDER]

    def test_prompt_booked_late_at_night_waits_for_the_morning(self) -> None:
        now = local(2026, 6, 9, 23)
        snap = snapshot(label=Label.PENDING, created=now)
        planned, skipped = desired_schedule(snap, DEFAULT, now)
        assert planned == (
            PlannedMessage(4711, MessageKind.CONFIRM_REQUEST, snap.start, local(2026, 6, 10, 8)),
        )
        assert skipped == (Skipped(4711, MessageKind.REMINDER, snap.start, "1d", BOOKED_AFTER_DUE),)

    @pytest.mark.parametrize(
        "snap",
        [
            snapshot(label=Label.CANCELLED),
            snapshot(status=RecordStatus.DISABLED),
            snapshot(status=RecordStatus.DELETED),
            snapshot(label=Label.PENDING).as_removed(),
            Snapshot.tombstone(4711, 1),
        ],
    )
    def test_nothing_for_an_appointment_that_is_gone(self, snap: Snapshot) -> None:
        assert desired_schedule(snap, DEFAULT, NOW) == ((), ())

    def test_started_appointment_skips_everything(self) -> None:
        snap = snapshot(label=Label.PENDING)
        planned, skipped = desired_schedule(snap, DEFAULT, snap.start + timedelta(hours=2))
        assert planned == ()
        assert [(s.kind, s.reason) for s in skipped] == [
            (MessageKind.REMINDER, APPOINTMENT_STARTED),
            (MessageKind.CONFIRM_REQUEST, APPOINTMENT_STARTED),
        ]

    def test_missed_reminder_after_downtime_is_sent_late(self) -> None:
        now = local(2026, 6, 9, 16)
        planned, skipped = desired_schedule(snapshot(), DEFAULT, now)
        assert [(m.variant, m.send_at) for m in planned] == [("1d", now)]
        assert skipped == ()

    def test_booked_after_the_reminder_time_is_skipped(self) -> None:
        now = local(2026, 6, 9, 16)
        planned, skipped = desired_schedule(snapshot(created=now), DEFAULT, now)
        assert planned == ()
        assert [s.key for s in skipped] == [f"4711:reminder:1d:{int(APPOINTMENT.timestamp())}"]
        assert skipped[0].reason == BOOKED_AFTER_DUE

    def test_send_times_are_utc(self) -> None:
        planned, _ = desired_schedule(snapshot(label=Label.PENDING), DEFAULT, NOW)
        assert all(m.send_at.tzinfo is UTC for m in planned)


def event(kind: EventKind, snap: Snapshot, previous: datetime | None = None) -> Event:
    return Event(kind, snap.appointment_id, snap, previous)


class TestNotices:
    def test_reschedule_notice_keyed_by_the_new_start(self) -> None:
        moved = snapshot(start=local(2026, 6, 11, 14))
        (notice,) = notices_for([event(EventKind.RESCHEDULED, moved, APPOINTMENT)], DEFAULT, NOW)
        assert notice == PlannedMessage(4711, MessageKind.RESCHEDULED, moved.start, NOW)
        assert notice.key == f"4711:rescheduled::{int(moved.start.timestamp())}"

    def test_cancel_notice_keyed_by_the_start(self) -> None:
        gone = snapshot(label=Label.CANCELLED)
        (notice,) = notices_for([event(EventKind.CANCELLED, gone)], DEFAULT, NOW)
        assert notice == PlannedMessage(4711, MessageKind.CANCELLED, gone.start, NOW)

    def test_each_notice_can_be_switched_off(self) -> None:
        moved = event(EventKind.RESCHEDULED, snapshot(), APPOINTMENT)
        gone = event(EventKind.CANCELLED, snapshot(label=Label.CANCELLED))
        assert notices_for([moved], settings(notify_rescheduled=False), NOW) == ()
        assert notices_for([gone], settings(notify_cancelled=False), NOW) == ()
        assert len(notices_for([gone], settings(notify_rescheduled=False), NOW)) == 1

    def test_nothing_once_the_appointment_started(self) -> None:
        gone = event(EventKind.CANCELLED, snapshot(label=Label.CANCELLED))
        assert notices_for([gone], DEFAULT, APPOINTMENT) == ()

    def test_notice_in_quiet_hours(self) -> None:
        night = local(2026, 6, 9, 23)
        gone = event(EventKind.CANCELLED, snapshot(label=Label.CANCELLED))
        (notice,) = notices_for([gone], DEFAULT, night)
        assert notice.send_at == local(2026, 6, 10, 8)
        early = event(EventKind.CANCELLED, snapshot(start=local(2026, 6, 10, 7)))
        (notice,) = notices_for([early], DEFAULT, night)
        assert notice.send_at == night

    def test_other_events_call_for_no_notice(self) -> None:
        snap = snapshot()
        events = [
            event(kind, snap)
            for kind in (EventKind.CREATED, EventKind.CONFIRMED, EventKind.CHANGED)
        ]
        events.append(event(EventKind.DELETED, snap.as_removed()))
        assert notices_for(events, DEFAULT, NOW) == ()
