"""Changes made in the sandbox show up within one poll interval as events and plans."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

import httpx

from bridge.booking import BookingMode, CancelMode, Label
from bridge.domain.messages import MessageKind
from tests.contract.helpers import book, bookable_slot, new_customer
from tests.flow.conftest import Flow

MakeFlow = Callable[..., Flow]


def first_poll(flow: Flow) -> None:
    """The first poll reads the whole window (the demo data) and sets the watermark."""
    flow.ticker.tick()
    flow.run_jobs()
    assert flow.redis.get(f"oab:watermark:{flow.api.get_agendas()[0].id}") is not None


def kinds(flow: Flow, appointment_id: int) -> list[str]:
    return [kind for kind, ident in flow.events() if ident == appointment_id]


def test_book_confirm_move_cancel_each_show_up_in_one_poll(flow: Flow) -> None:
    first_poll(flow)
    slot = bookable_slot(flow.api, flow.clock.now().date() + timedelta(days=3))
    appointment_id = book(flow.api, slot, new_customer(flow.api))
    flow.poll()
    assert kinds(flow, appointment_id) == ["created"]
    planned = {m.kind for m in flow.planned_for(appointment_id)}
    assert planned == {MessageKind.CONFIRM_REQUEST, MessageKind.REMINDER}

    code = next(m["code"] for m in httpx.get(f"{flow.sandbox_url}/_sandbox/outbox").json()
                if m["appointment_id"] == appointment_id)
    assert flow.api.confirm_appointment(appointment_id, code)
    flow.poll()
    assert kinds(flow, appointment_id) == ["created", "confirmed"]
    assert {m.kind for m in flow.planned_for(appointment_id)} == {MessageKind.REMINDER}

    before = flow.api.get_appointment(appointment_id)
    later = before.start + timedelta(hours=2)
    flow.api.set_appointment(
        slot.agenda.id, before.customer_id or 0, slot.kind.id, later.date(), later.time(),
        (before.finish + timedelta(hours=2)).time(), appointment_id=appointment_id,
        booking_mode=BookingMode.CUSTOMER,
    )
    flow.poll()
    assert kinds(flow, appointment_id)[-1] == "rescheduled"
    after = flow.planned_for(appointment_id)
    reminder = next(m for m in after if m.kind is MessageKind.REMINDER)
    assert reminder.start == later
    assert any(m.kind is MessageKind.RESCHEDULED for m in after)

    flow.api.cancel_appointment(appointment_id, mode=CancelMode.COMPANY)
    flow.poll()
    assert kinds(flow, appointment_id)[-1] == "cancelled"
    remaining = {m.kind for m in flow.planned_for(appointment_id)}
    assert MessageKind.REMINDER not in remaining
    assert MessageKind.CANCELLED in remaining
    assert flow.failed_jobs() == []


def test_a_removed_appointment_is_found_by_reconciliation(flow: Flow) -> None:
    first_poll(flow)
    flow.booking.requires_confirmation = False  # no prompt goes out (and re-reads it) now
    slot = bookable_slot(flow.api, flow.clock.now().date() + timedelta(days=3))
    appointment_id = book(flow.api, slot, new_customer(flow.api))
    flow.poll()
    assert flow.planned_for(appointment_id)
    flow.api.remove_appointment(appointment_id)
    flow.poll()  # polling cannot see a removal
    assert "deleted" not in kinds(flow, appointment_id)
    flow.clock.advance(timedelta(seconds=flow.settings.reconcile_interval))
    flow.ticker.tick()
    flow.run_jobs()
    assert kinds(flow, appointment_id)[-1] == "deleted"
    assert flow.planned_for(appointment_id) == []


def test_the_same_state_seen_twice_gives_nothing(flow: Flow) -> None:
    first_poll(flow)
    events_before = len(flow.events())
    flow.poll()
    flow.poll()
    assert len(flow.events()) == events_before
    assert flow.failed_jobs() == []


def test_a_reminder_goes_out_on_time_and_a_cancelled_one_does_not(flow: Flow) -> None:
    first_poll(flow)
    flow.booking.requires_confirmation = False
    slot = bookable_slot(flow.api, flow.clock.now().date() + timedelta(days=2))
    kept = book(flow.api, slot, new_customer(flow.api))
    other = bookable_slot(flow.api, flow.clock.now().date() + timedelta(days=2), index=3)
    dropped = book(flow.api, other, new_customer(flow.api))
    flow.poll()
    reminder = next(m for m in flow.planned_for(kept) if m.kind is MessageKind.REMINDER)
    doomed = next(m for m in flow.planned_for(dropped) if m.kind is MessageKind.REMINDER)
    # Cancel the second behind the bridge's back, after its reminder was planned but
    # before a poll sees it: the send job must notice at send time.
    flow.api.cancel_appointment(dropped, mode=CancelMode.COMPANY)
    flow.clock.set(max(reminder.send_at, doomed.send_at) + timedelta(seconds=1))
    dispatched = flow.ticker.dispatch_due()
    assert dispatched >= 1
    flow.run_jobs()
    assert reminder.key in flow.sent_keys()
    assert any(s["appointment"] == str(dropped) and s["reason"] == "appointment_cancelled"
               for s in flow.skipped())
    # dispatched once: a later tick does not send it again
    flow.ticker.dispatch_due()
    flow.run_jobs()
    assert flow.sent_keys().count(reminder.key) == 1


def test_a_reminder_is_at_the_same_local_hour_across_dst(make_flow: MakeFlow) -> None:
    flow = make_flow(start=datetime(2026, 10, 20, 8, 0, tzinfo=UTC), OABRIDGE_QUIET_HOURS="off")
    first_poll(flow)
    flow.booking.requires_confirmation = False
    agenda = flow.api.get_agendas()[0]
    kind = next(k for k in flow.api.get_appointment_types(agenda.id) if k.bookable_by_consumer)
    customer = new_customer(flow.api)
    # Monday 26 October, 10:00, the day after clocks go back (25 October 2026).
    saved = flow.api.set_appointment(
        agenda.id, customer, kind.id, date(2026, 10, 26), time(10, 0),
        booking_mode=BookingMode.CUSTOMER,
    )
    flow.poll()
    reminder = next(m for m in flow.planned_for(saved.id) if m.kind is MessageKind.REMINDER)
    local = reminder.send_at.astimezone(flow.settings.tz)
    assert (local.date().isoformat(), local.hour, local.minute) == ("2026-10-25", 10, 0)
    assert flow.api.get_appointment(saved.id).label is Label.APPROVED
