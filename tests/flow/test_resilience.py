"""Outages, restarts and duplicates: nothing is lost, nothing is doubled."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from bridge.domain.messages import MessageKind
from bridge.store import keys
from bridge.sync import listing
from tests.contract.helpers import book, bookable_slot, new_customer
from tests.flow.conftest import Flow
from workers import sync

MakeFlow = Callable[..., Flow]


class FailLaterPages:
    """Answers 503 to any getAppointments page after the first while armed."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.armed = False
        self.refused = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.armed:
            query = Request(scope).query_params
            if query.get("method") == "getAppointments" and query.get("Offset", "0") != "0":
                self.refused += 1
                await Response("upstream busy", status_code=503)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def test_an_outage_mid_poll_leaves_the_watermark_and_loses_nothing(
    make_flow: MakeFlow, monkeypatch: pytest.MonkeyPatch
) -> None:
    holder: list[FailLaterPages] = []

    def wrap(app: ASGIApp) -> ASGIApp:
        holder.append(FailLaterPages(app))
        return holder[0]

    flow = make_flow(wrap=wrap)
    fault = holder[0]
    monkeypatch.setattr(listing, "PAGE_SIZE", 2)
    flow.ticker.tick()
    flow.run_jobs()
    agenda = flow.api.get_agendas()[0].id
    watermark = flow.redis.get(keys.watermark(agenda))
    booked = []
    flow.clock.advance(timedelta(seconds=5))
    for index in range(5):  # five changes: three pages of two
        slot = bookable_slot(flow.api, flow.clock.now().date() + timedelta(days=4), index=index)
        booked.append(book(flow.api, slot, new_customer(flow.api)))
    fault.armed = True
    flow.clock.advance(timedelta(seconds=flow.settings.poll_interval))
    flow.ticker.tick()
    flow.run_jobs()  # the poll fails on page two, after its retries' first attempt
    assert fault.refused >= 1
    assert flow.redis.get(keys.watermark(agenda)) == watermark
    assert flow.failed_jobs() == []  # not failed: waiting for its retry
    fault.armed = False
    sync.poll_agenda(sync.ALL_AGENDAS)  # the retry (or the next poll) reads everything
    created = {ident for kind, ident in flow.events() if kind == "created"}
    assert set(booked) <= created
    assert int(flow.redis.get(keys.watermark(agenda)) or 0) > int(watermark or 0)


def test_every_process_restarted_between_plan_and_send(flow: Flow) -> None:
    flow.booking.requires_confirmation = False
    flow.ticker.tick()
    flow.run_jobs()
    slot = bookable_slot(flow.api, flow.clock.now().date() + timedelta(days=2))
    appointment_id = book(flow.api, slot, new_customer(flow.api))
    flow.clock.advance(timedelta(seconds=flow.settings.poll_interval))
    flow.ticker.tick()
    flow.run_jobs()
    reminder = next(m for m in flow.planned_for(appointment_id) if m.kind is MessageKind.REMINDER)
    flow.restart()  # new processes with nothing but Redis and the settings
    flow.clock.set(reminder.send_at + timedelta(minutes=1))
    flow.ticker.tick()
    flow.run_jobs()
    assert flow.sent_keys().count(reminder.key) == 1


def test_duplicate_sync_jobs_change_nothing_twice(flow: Flow) -> None:
    flow.ticker.tick()
    flow.run_jobs()
    slot = bookable_slot(flow.api, flow.clock.now().date() + timedelta(days=2))
    appointment_id = book(flow.api, slot, new_customer(flow.api))
    agenda = slot.agenda.id
    for _ in range(3):
        sync.sync_appointment(agenda, appointment_id)
    assert [k for k, i in flow.events() if i == appointment_id] == ["created"]
    reminders = {m.key for m in flow.planned_for(appointment_id) if m.kind is MessageKind.REMINDER}
    flow.poll()  # the poll sees the same state once more
    assert [k for k, i in flow.events() if i == appointment_id] == ["created"]
    assert {m.key for m in flow.planned_for(appointment_id)
            if m.kind is MessageKind.REMINDER} == reminders


def test_a_removed_appointment_notice_records_the_deletion(flow: Flow) -> None:
    flow.ticker.tick()
    flow.run_jobs()
    slot = bookable_slot(flow.api, flow.clock.now().date() + timedelta(days=2))
    appointment_id = book(flow.api, slot, new_customer(flow.api))
    sync.sync_appointment(slot.agenda.id, appointment_id)
    flow.api.remove_appointment(appointment_id)
    sync.sync_appointment(slot.agenda.id, appointment_id)
    sync.sync_appointment(slot.agenda.id, appointment_id)
    assert [k for k, i in flow.events() if i == appointment_id] == ["created", "deleted"]
    assert flow.planned_for(appointment_id) == []

