"""A reconciliation finds what polling cannot see: an appointment removed upstream."""

from __future__ import annotations

from datetime import timedelta

from bridge.sync.poll import poll_one
from bridge.sync.reconcile import reconcile, reconcile_one
from tests.contract.helpers import book, bookable_slot, new_customer
from tests.sync.conftest import SyncStack
from tests.sync.test_poll import settled


def test_a_removed_appointment_is_rechecked_and_recorded_removed(stack: SyncStack) -> None:
    agenda = settled(stack)
    slot = bookable_slot(stack.api, stack.clock.now().date() + timedelta(days=3))
    appointment = book(stack.api, slot, new_customer(stack.api))
    poll_one(stack.sv, agenda)
    assert appointment in known(stack, agenda)
    stack.api.remove_appointment(appointment)
    stack.clock.advance(timedelta(minutes=1))
    assert poll_one(stack.sv, agenda)["changed"] == 0  # a removal is listed by no query
    result = reconcile_one(stack.sv, agenda)
    assert result["missing"] == 1 and result["events"] == 1
    removed = stack.sv.plans.snapshot(appointment)
    assert removed is not None and removed.removed
    assert appointment not in known(stack, agenda)
    assert reconcile_one(stack.sv, agenda)["missing"] == 0  # and once only


def test_a_reconciliation_moves_the_watermark_forward_only(stack: SyncStack) -> None:
    agenda = settled(stack)
    before = stack.sv.state.watermark(agenda)
    assert before is not None
    reconcile_one(stack.sv, agenda)
    after = stack.sv.state.watermark(agenda)
    assert after is not None and after >= before
    assert stack.sv.state.last_poll(agenda) == int(stack.clock.now().timestamp())


def test_every_watched_agenda_without_an_agenda(stack: SyncStack) -> None:
    agendas = {str(a.id) for a in stack.api.get_agendas()}
    assert set(reconcile(stack.sv, None)) == agendas


def known(stack: SyncStack, agenda: int) -> set[int]:
    """The agenda's known appointments in the next two months."""
    now = stack.clock.now()
    return stack.sv.plans.known_in(agenda, now - timedelta(days=1), now + timedelta(days=60))
