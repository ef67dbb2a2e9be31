"""Bookable days, times and blocks; availability blocks; calculation models."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from bridge.booking import BookingApiError, CalculationModel
from tests.contract.conftest import Stack
from tests.contract.helpers import bookable_slot


def next_saturday(stack: Stack):  # type: ignore[no-untyped-def]
    day = stack.clock.now().date() + timedelta(days=2)
    while day.weekday() != 5:
        day += timedelta(days=1)
    return day


def test_bookable_days_and_times_agree(stack: Stack) -> None:
    slot = bookable_slot(stack.api, stack.clock.now().date() + timedelta(days=1))
    times = stack.api.get_bookable_times(slot.agenda.id, slot.kind.id, slot.time.date)
    assert times and all(t.date == slot.time.date for t in times)
    for t in times:
        assert t.start.astimezone(t.start.tzinfo).time() == t.start_time
        assert t.end_time > t.start_time
        assert t.start_time.minute % slot.agenda.align_grid == 0


def test_blocks_open_and_close_time(stack: Stack) -> None:
    slot = bookable_slot(stack.api, stack.clock.now().date() + timedelta(days=1))
    saturday = next_saturday(stack)
    resource = slot.time.resource_id
    assert stack.api.get_bookable_times(slot.agenda.id, slot.kind.id, saturday) == []
    block_id = stack.api.ch_add_block(
        slot.agenda.id, saturday, time(10, 0), time(12, 0), resource_id=resource
    )
    opened = stack.api.get_bookable_times(slot.agenda.id, slot.kind.id, saturday)
    assert opened and all(time(10, 0) <= t.start_time and t.end_time <= time(12, 0) for t in opened)
    blocks = stack.api.get_bookable_blocks(slot.agenda.id, slot.kind.id, saturday)
    assert [(b.start_time, b.end_time) for b in blocks] == [(time(10, 0), time(12, 0))]
    days = stack.api.get_bookable_days(slot.agenda.id, slot.kind.id, saturday, saturday)
    assert [d.date for d in days] == [saturday]
    stack.api.ch_remove_block(slot.agenda.id, block_id)
    assert stack.api.get_bookable_times(slot.agenda.id, slot.kind.id, saturday) == []


def test_calculation_model_settings_round_trip(stack: Stack) -> None:
    slot = bookable_slot(stack.api, stack.clock.now().date() + timedelta(days=1))
    value = {"max_per_day": 6, "note": "drukke dag"}
    stack.api.set_calculation_model_settings(
        slot.agenda.id, slot.kind.id, CalculationModel.LIMIT, value, enabled=True
    )
    stored = stack.api.get_calculation_model_settings(
        slot.agenda.id, slot.kind.id, CalculationModel.LIMIT
    )
    assert stored.name == "limit" and stored.enabled
    import json

    assert json.loads(stored.value_json) == value


@pytest.mark.parametrize(("model", "value"), [("bogus", "{}"), ("limit", "{not json")])
def test_calculation_model_validation(stack: Stack, model: str, value: str) -> None:
    agenda = stack.api.get_agendas()[0]
    kind = stack.api.get_appointment_types(agenda.id)[0]
    with pytest.raises(BookingApiError):
        stack.api.transport.call(
            "setCalculationModelSettings",
            {
                "AgendaId": str(agenda.id),
                "AppTypeId": str(kind.id),
                "CalculationModel": model,
                "Value": value,
            },
        )
