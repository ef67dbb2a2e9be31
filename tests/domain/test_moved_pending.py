"""A moved PENDING appointment gets one text that tells the move and asks to confirm.

The rescheduled notice carries the ask (variant `confirm`) and the prompt for the new
start is skipped as asked in it, so the storage layer never schedules it again.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bridge.booking.models import Label
from bridge.domain.plan import (
    ASKED_IN_RESCHEDULED,
    ASKS_TO_CONFIRM,
    MessageKind,
    PlanChange,
    PlannedMessage,
    PlanSettings,
    desired_schedule,
    plan_change,
    unfold_announced,
)
from bridge.domain.snapshot import Snapshot
from bridge.settings import load_settings
from tests.domain.builders import at_local, later, local, settings, snapshot
from tests.domain.test_properties import NOW as HISTORY_NOW
from tests.domain.test_properties import RULES, histories

NOW = local(2026, 6, 1, 12)
PENDING = snapshot(label=Label.PENDING)
MOVED = later(PENDING, start=PENDING.start + timedelta(days=1),
              finish=PENDING.finish + timedelta(days=1))
TS = int(MOVED.start.timestamp())


def kinds(messages: tuple[PlannedMessage, ...]) -> list[tuple[MessageKind, str]]:
    return [(m.kind, m.variant) for m in messages]


def test_one_notice_that_asks_and_the_prompt_skipped_as_asked_in_it() -> None:
    change = plan_change(PENDING, MOVED, settings(), NOW)
    (notice,) = change.notices
    assert notice.key == f"4711:rescheduled::{TS}"  # one notice per move, asking or not
    assert (notice.kind, notice.variant, notice.start) == (
        MessageKind.RESCHEDULED, ASKS_TO_CONFIRM, MOVED.start)
    assert kinds(change.schedule) == [(MessageKind.REMINDER, "1d")]
    (asked,) = change.skipped
    assert (asked.key, asked.reason) == (f"4711:confirm_request::{TS}", ASKED_IN_RESCHEDULED)
    prompt = next(m for m in desired_schedule(MOVED, settings(), NOW)[0]
                  if m.kind is MessageKind.CONFIRM_REQUEST)
    assert notice.send_at == prompt.send_at  # goes out when the prompt would have


def test_quiet_hours_move_the_one_text_as_they_moved_the_prompt() -> None:
    late = local(2026, 6, 1, 22, 30)
    change = plan_change(PENDING, MOVED, settings(), late)
    (notice,) = change.notices
    assert notice.variant == ASKS_TO_CONFIRM
    assert at_local(notice.send_at) == (2026, 6, 2, 8, 0)


def test_without_move_notices_the_prompt_still_goes_out() -> None:
    change = plan_change(PENDING, MOVED, settings(notify_rescheduled=False), NOW)
    assert change.notices == () and change.skipped == ()
    assert (MessageKind.CONFIRM_REQUEST, "") in kinds(change.schedule)


def test_on_different_channels_the_two_stay_apart() -> None:
    change = plan_change(PENDING, MOVED, settings(ask_in_rescheduled=False), NOW)
    assert kinds(change.notices) == [(MessageKind.RESCHEDULED, "")]
    assert (MessageKind.CONFIRM_REQUEST, "") in kinds(change.schedule)


@pytest.mark.parametrize(("channels", "folds"), [
    ("", True),
    ("rescheduled:sms_or_email", True),  # named, but as the default
    ("rescheduled:both,confirm_request:both", True),
    ("rescheduled:email", False),
    ("confirm_request:sms", False),
])
def test_settings_fold_only_kinds_that_share_their_channels(channels: str, folds: bool) -> None:
    rules = load_settings({"OABRIDGE_CHANNELS": channels}).plan_settings(True)
    assert rules.ask_in_rescheduled is folds


def test_a_confirmed_or_unconfirmable_move_gets_the_plain_notice() -> None:
    approved = plan_change(replace(PENDING, label=Label.APPROVED),
                           replace(MOVED, label=Label.APPROVED), settings(), NOW)
    no_confirmation = plan_change(PENDING, MOVED, settings(requires_confirmation=False), NOW)
    for change in (approved, no_confirmation):
        assert kinds(change.notices) == [(MessageKind.RESCHEDULED, "")]
        assert change.skipped == ()


def test_a_move_that_also_confirms_asks_nothing() -> None:
    confirmed = replace(MOVED, label=Label.APPROVED)
    change = plan_change(PENDING, confirmed, settings(), NOW)
    assert kinds(change.notices) == [(MessageKind.RESCHEDULED, "")]


def test_a_move_back_to_an_announced_start_asks_with_the_prompt() -> None:
    change = plan_change(PENDING, MOVED, settings(), NOW)
    (notice,) = change.notices
    again = unfold_announced(change, {notice.key})  # the move to this start was announced
    assert again.notices == ()
    prompt = next(m for m in again.schedule if m.kind is MessageKind.CONFIRM_REQUEST)
    assert (prompt.start, prompt.send_at) == (MOVED.start, notice.send_at)
    assert all(s.reason != ASKED_IN_RESCHEDULED for s in again.skipped)
    assert unfold_announced(change, set()) == change  # a new start: the one text asks


def test_a_move_into_the_past_plans_nothing() -> None:
    change = plan_change(PENDING, MOVED, settings(), MOVED.start + timedelta(minutes=1))
    assert change.notices == ()
    assert {s.reason for s in change.skipped} == {"appointment_started"}


def test_the_same_move_seen_again_or_late_changes_nothing() -> None:
    first = plan_change(PENDING, MOVED, settings(), NOW)
    assert plan_change(PENDING, MOVED, settings(), NOW + timedelta(minutes=5)).notices == \
        tuple(replace(n, send_at=n.send_at + timedelta(minutes=5)) for n in first.notices)
    again = plan_change(MOVED, MOVED, settings(), NOW)
    stale = plan_change(MOVED, PENDING, settings(), NOW)
    assert not again.accepted and not stale.accepted
    assert again.notices == stale.notices == ()


# --- properties over any history, in any order, with repeats --------------------------


@dataclass
class Store:
    """What `PlanStore` does with changes, in memory: an appointment's schedule replaced,
    notices added, a skipped or dispatched key done for good."""

    schedule: dict[str, PlannedMessage] = field(default_factory=dict)
    notices: dict[str, PlannedMessage] = field(default_factory=dict)
    done: set[str] = field(default_factory=set)
    sent: list[str] = field(default_factory=list)
    #: What went out under each key: whether a rescheduled notice asked is not in its key.
    variants: dict[str, str] = field(default_factory=dict)

    def apply(self, change: PlanChange) -> None:
        if not change.accepted:
            return
        change = unfold_announced(change, self.done)
        self.schedule = {m.key: m for m in change.schedule if m.key not in self.done}
        for notice in change.notices:
            if notice.key not in self.done:  # the latest content, the first send time
                first = self.notices.get(notice.key, notice)
                self.notices[notice.key] = replace(notice, send_at=first.send_at)
        self.done |= {s.key for s in change.skipped}

    def dispatch(self) -> None:
        for key, message in [*self.schedule.items(), *self.notices.items()]:
            self.sent.append(key)
            self.variants[key] = message.variant
            self.done.add(key)
        self.schedule, self.notices = {}, {}


@st.composite
def deliveries(draw: st.DrawFn) -> tuple[list[Snapshot], list[Snapshot]]:
    """A history that mostly awaits confirmation, delivered in any order, with repeats."""
    states = [replace(s, label=Label.PENDING) if not s.removed and draw(st.booleans()) else s
              for s in draw(histories())]
    extra = draw(st.lists(st.sampled_from(states), max_size=len(states) * 2))
    return states, draw(st.permutations([*states, *extra]))


def replay(delivered: list[Snapshot], sends: list[bool], rules: PlanSettings,
           now: datetime) -> tuple[Store, list[PlanChange]]:
    store, stored, changes = Store(), None, []
    for state, send in zip(delivered, sends + [False] * len(delivered), strict=False):
        change = plan_change(stored, state, rules, now)
        changes.append(change)
        store.apply(change)
        stored = state if change.accepted else stored
        if send:
            store.dispatch()
    store.dispatch()
    return store, changes


@given(deliveries(), st.lists(st.booleans(), max_size=20))
def test_no_change_plans_a_prompt_and_a_notice_for_one_start(
    case: tuple[list[Snapshot], list[Snapshot]], sends: list[bool]
) -> None:
    _, delivered = case
    store, changes = replay(delivered, sends, RULES, HISTORY_NOW)
    assert len(store.sent) == len(set(store.sent))  # every key at most once
    for change in changes:
        prompts = {m.start for m in change.schedule if m.kind is MessageKind.CONFIRM_REQUEST}
        moved = {n.start for n in change.notices if n.kind is MessageKind.RESCHEDULED}
        assert not prompts & moved
        asking = {n.key.replace("rescheduled:", "confirm_request:")
                  for n in change.notices if n.variant == ASKS_TO_CONFIRM}
        asked = {s.key for s in change.skipped if s.reason == ASKED_IN_RESCHEDULED}
        assert asking == asked  # a prompt is dropped only into a notice that asks


@given(deliveries(), st.lists(st.booleans(), max_size=20))
def test_a_pending_appointment_is_asked_about_its_final_start(
    case: tuple[list[Snapshot], list[Snapshot]], sends: list[bool]
) -> None:
    states, delivered = case
    store, _ = replay(delivered, sends, RULES, HISTORY_NOW)
    newest = states[-1]
    planned = desired_schedule(newest, RULES, HISTORY_NOW)[0]
    if any(m.kind is MessageKind.CONFIRM_REQUEST for m in planned):
        ts = int(newest.start.timestamp())
        ident = newest.appointment_id
        prompt, notice = f"{ident}:confirm_request::{ts}", f"{ident}:rescheduled::{ts}"
        assert prompt in store.sent or store.variants.get(notice) == ASKS_TO_CONFIRM


@given(deliveries())
def test_without_move_notices_nothing_is_folded(
    case: tuple[list[Snapshot], list[Snapshot]],
) -> None:
    _, delivered = case
    rules = replace(RULES, notify_rescheduled=False)
    _, changes = replay(delivered, [], rules, HISTORY_NOW)
    for change in changes:
        assert all(s.reason != ASKED_IN_RESCHEDULED for s in change.skipped)
        assert all(n.variant != ASKS_TO_CONFIRM for n in change.notices)
