"""plan_change: the whole decision for one observation, step by step."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bridge.booking.models import Label
from bridge.domain.events import EventKind
from bridge.domain.messages import UNSEEN_CANCELLATION, PlannedMessage
from bridge.domain.plan import MessageKind, PlanChange, plan_change
from bridge.domain.snapshot import Snapshot
from tests.domain.builders import later, local, settings, snapshot

DEFAULT = settings()
NOW = local(2026, 6, 1, 12)


def keys(change: PlanChange) -> set[str]:
    return {message.key for message in change.schedule}


def test_new_appointment_is_planned() -> None:
    change = plan_change(None, snapshot(label=Label.PENDING), DEFAULT, NOW)
    assert change.accepted
    assert [e.kind for e in change.events] == [EventKind.CREATED]
    assert [m.kind for m in change.schedule] == [MessageKind.REMINDER, MessageKind.CONFIRM_REQUEST]
    assert change.notices == ()


def test_reschedule_replaces_the_reminder_keys_and_notifies() -> None:
    old = snapshot()
    moved = later(old, start=old.start + timedelta(days=2), finish=old.finish + timedelta(days=2))
    before = plan_change(None, old, DEFAULT, NOW)
    after = plan_change(old, moved, DEFAULT, NOW)
    assert keys(before).isdisjoint(keys(after))
    assert keys(after) == {f"4711:reminder:1d:{int(moved.start.timestamp())}"}
    assert [(n.kind, n.start) for n in after.notices] == [(MessageKind.RESCHEDULED, moved.start)]


def test_cancel_drops_reminders_and_notifies() -> None:
    old = snapshot(label=Label.PENDING)
    change = plan_change(old, later(old, label=Label.CANCELLED), DEFAULT, NOW)
    assert change.accepted
    assert change.schedule == ()
    assert [n.kind for n in change.notices] == [MessageKind.CANCELLED]


def test_delete_drops_reminders_quietly() -> None:
    old = snapshot()
    change = plan_change(old, old.as_removed(), DEFAULT, NOW)
    assert change.accepted
    assert [e.kind for e in change.events] == [EventKind.DELETED]
    assert (change.schedule, change.notices, change.skipped) == ((), (), ())


def test_confirmation_drops_the_prompt() -> None:
    old = snapshot(label=Label.PENDING)
    change = plan_change(old, later(old, label=Label.APPROVED), DEFAULT, NOW)
    assert [e.kind for e in change.events] == [EventKind.CONFIRMED]
    assert [m.kind for m in change.schedule] == [MessageKind.REMINDER]


def test_duplicate_changes_nothing() -> None:
    old = snapshot(label=Label.PENDING)
    first = plan_change(None, old, DEFAULT, NOW)
    again = plan_change(old, old, DEFAULT, NOW)
    assert not again.accepted
    assert (again.events, again.notices) == ((), ())
    assert again.schedule == first.schedule


def test_stale_state_keeps_the_newer_plan() -> None:
    old = snapshot()
    moved = later(old, start=old.start + timedelta(hours=3))
    change = plan_change(moved, old, DEFAULT, NOW)
    assert not change.accepted
    assert keys(change) == keys(plan_change(None, moved, DEFAULT, NOW))


def test_nothing_comes_back_after_a_tombstone() -> None:
    gone = snapshot().as_removed()
    change = plan_change(gone, later(snapshot(), 3600), DEFAULT, NOW)
    assert not change.accepted
    assert change == PlanChange((), (), (), (), accepted=False)


def test_first_sight_of_a_tombstone_is_stored_but_plans_nothing() -> None:
    change = plan_change(None, Snapshot.tombstone(4711, 1), DEFAULT, NOW)
    assert change == PlanChange((), (), (), (), accepted=True)


def test_edit_without_relevant_change_is_accepted_quietly() -> None:
    old = snapshot()
    change = plan_change(old, later(old), DEFAULT, NOW)
    assert change.accepted
    assert (change.events, change.notices) == ((), ())
    assert keys(change) == keys(plan_change(None, old, DEFAULT, NOW))


def test_started_appointment_reports_skips() -> None:
    old = snapshot()
    finished = later(old, label=Label.FINISHED)
    change = plan_change(old, finished, DEFAULT, old.start + timedelta(hours=1))
    assert change.schedule == ()
    assert [s.reason for s in change.skipped] == ["appointment_started"]


def test_a_cancellation_first_seen_while_recovering_is_announced() -> None:
    """After a lost memory (#16) an appointment cancelled between the loss and the read
    after it is first seen cancelled: no change to diff, yet its customer must hear."""
    since = NOW - timedelta(hours=1)
    recovering = settings(unseen_cancelled_since=since)
    cancelled = snapshot(label=Label.CANCELLED, updated=NOW - timedelta(minutes=5))
    change = plan_change(None, cancelled, recovering, NOW)
    assert [(m.kind, m.variant) for m in change.notices] == [
        (MessageKind.CANCELLED, UNSEEN_CANCELLATION)]
    notice = change.notices[0]
    assert notice.key == PlannedMessage(notice.appointment_id, MessageKind.CANCELLED,
                                        notice.start, notice.send_at).key  # one notice
    assert change.schedule == ()


def test_a_first_seen_cancellation_is_not_announced_when_old_past_or_not_recovering(
) -> None:
    since = NOW - timedelta(hours=1)
    recovering = settings(unseen_cancelled_since=since)
    recent = snapshot(label=Label.CANCELLED, updated=NOW - timedelta(minutes=5))
    assert plan_change(None, recent, DEFAULT, NOW).notices == ()  # not recovering
    old = replace(recent, updated=since - timedelta(seconds=1))
    assert plan_change(None, old, recovering, NOW).notices == ()  # announced before
    started = replace(recent, start=NOW - timedelta(minutes=1),
                      finish=NOW + timedelta(minutes=29))
    assert plan_change(None, started, recovering, NOW).notices == ()
    assert plan_change(None, replace(recent, removed=True), recovering, NOW).notices == ()
    assert plan_change(None, snapshot(updated=NOW), recovering, NOW).notices == ()  # live
    seen = snapshot(updated=NOW - timedelta(minutes=10))
    again = replace(recent, updated=NOW - timedelta(minutes=5))
    assert [(m.kind, m.variant) for m in plan_change(seen, again, recovering, NOW).notices] \
        == [(MessageKind.CANCELLED, "")]  # seen live before: the usual notice
