"""A poll reads what changed since its watermark; the watermark moves only after it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bridge.booking import BookingTransportError
from bridge.store import keys
from bridge.sync import listing
from bridge.sync.listing import VISIBILITY_LAG_SECONDS
from bridge.sync.poll import poll, poll_one
from tests.contract.helpers import book, bookable_slot, new_customer
from tests.sync.conftest import SyncStack


def agenda_of(stack: SyncStack) -> int:
    return next(a for a in stack.api.get_agendas() if a.is_default).id


def settled(stack: SyncStack) -> int:
    """The default agenda, read whole and polled once more a minute later: the demo data
    was stamped at the start, within the first watermark's lag, so the second poll
    reads it again (and finds nothing new in it)."""
    agenda = agenda_of(stack)
    poll_one(stack.sv, agenda)
    stack.clock.advance(timedelta(minutes=1))
    assert poll_one(stack.sv, agenda)["events"] == 0
    stack.clock.advance(timedelta(minutes=1))
    return agenda


def test_an_agenda_never_polled_is_read_whole_once(stack: SyncStack) -> None:
    agenda = agenda_of(stack)
    assert stack.sv.state.watermark(agenda) is None
    result = poll_one(stack.sv, agenda)
    assert set(result) == {"seen", "missing", "events"}  # a reconciliation's
    now = int(stack.clock.now().timestamp())
    assert stack.sv.state.watermark(agenda) == now - VISIBILITY_LAG_SECONDS
    assert stack.sv.state.last_poll(agenda) == now


def test_a_quiet_agenda_changes_nothing_and_a_booking_shows_up(stack: SyncStack) -> None:
    agenda = settled(stack)
    assert poll_one(stack.sv, agenda) == {"changed": 0, "events": 0}
    slot = bookable_slot(stack.api, stack.clock.now().date() + timedelta(days=3))
    appointment = book(stack.api, slot, new_customer(stack.api))
    stack.clock.advance(timedelta(minutes=1))
    assert poll_one(stack.sv, agenda) == {"changed": 1, "events": 1}
    assert stack.sv.plans.snapshot(appointment) is not None
    assert stack.sv.state.last_poll(agenda) == int(stack.clock.now().timestamp())


def test_every_watched_agenda_without_an_agenda(stack: SyncStack) -> None:
    agendas = {str(a.id) for a in stack.api.get_agendas()}
    assert set(poll(stack.sv, None)) == agendas
    assert set(poll(stack.sv, agenda_of(stack))) == {str(agenda_of(stack))}


def test_a_poll_that_fails_mid_way_leaves_the_watermark(
    stack: SyncStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    agenda = settled(stack)
    before = stack.redis.get(keys.watermark(agenda))
    for index in range(3):
        slot = bookable_slot(stack.api, stack.clock.now().date() + timedelta(days=4), index)
        book(stack.api, slot, new_customer(stack.api))
    stack.clock.advance(timedelta(minutes=1))
    monkeypatch.setattr(listing, "PAGE_SIZE", 2)
    real = stack.sv.booking.get_appointments
    calls = []

    def second_page_fails(*args: object, **kwargs: object) -> object:
        calls.append(kwargs["offset"])
        if kwargs["offset"]:
            raise BookingTransportError("upstream busy")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(stack.sv.booking, "get_appointments", second_page_fails)
    with pytest.raises(BookingTransportError):
        poll_one(stack.sv, agenda)
    assert calls == [0, 2]
    assert stack.redis.get(keys.watermark(agenda)) == before
    monkeypatch.setattr(stack.sv.booking, "get_appointments", real)
    assert poll_one(stack.sv, agenda)["changed"] == 3
