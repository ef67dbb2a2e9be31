"""A change notice re-reads its appointment; a customer notice drops the cached contact."""

from __future__ import annotations

from datetime import timedelta

from bridge.store import keys
from bridge.sync.notices import forget_customer, sync_appointment
from tests.contract.helpers import book, bookable_slot, new_customer
from tests.sync.conftest import SyncStack


def booked(stack: SyncStack) -> tuple[int, int]:
    slot = bookable_slot(stack.api, stack.clock.now().date() + timedelta(days=3))
    return slot.agenda.id, book(stack.api, slot, new_customer(stack.api))


def test_an_appointment_is_read_and_planned_once(stack: SyncStack) -> None:
    agenda, appointment = booked(stack)
    assert sync_appointment(stack.sv, agenda, appointment, None) == {
        "appointment": appointment, "events": 1}
    assert sync_appointment(stack.sv, agenda, appointment, None)["events"] == 0
    snapshot = stack.sv.plans.snapshot(appointment)
    assert snapshot is not None and not snapshot.removed
    assert stack.sv.codes.get(appointment) is None


def test_a_code_the_notice_supplied_is_kept(stack: SyncStack) -> None:
    agenda, appointment = booked(stack)
    sync_appointment(stack.sv, agenda, appointment, "AB12")
    assert stack.sv.codes.get(appointment) == "AB12"
    assert 0 < stack.redis.ttl(keys.confirmation_code(appointment)) <= \
        keys.AFTER_APPOINTMENT_SECONDS


def test_an_appointment_removed_upstream_is_recorded_removed(stack: SyncStack) -> None:
    agenda, appointment = booked(stack)
    sync_appointment(stack.sv, agenda, appointment, None)
    stack.api.remove_appointment(appointment)
    assert sync_appointment(stack.sv, agenda, appointment, None)["events"] == 1
    removed = stack.sv.plans.snapshot(appointment)
    assert removed is not None and removed.removed


def test_an_appointment_never_seen_and_gone_plans_nothing(stack: SyncStack) -> None:
    agenda, appointment = booked(stack)
    stack.api.remove_appointment(appointment)
    assert sync_appointment(stack.sv, agenda, appointment, None)["events"] == 0
    assert stack.sv.plans.scheduled() == []


def test_a_customer_notice_drops_the_cached_contact(stack: SyncStack) -> None:
    customer = new_customer(stack.api)
    assert stack.sv.contacts.get(customer) is not None
    assert stack.redis.exists(keys.customer_cache(customer))
    assert forget_customer(stack.sv, customer) == {"customer": customer, "dropped": 1}
    assert not stack.redis.exists(keys.customer_cache(customer))
    assert forget_customer(stack.sv, customer)["dropped"] == 0
