"""A change announced by a signed webhook shows up as events, through the real ingress."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import httpx
from standardwebhooks import Webhook

from bridge.booking import BookingMode, CancelMode
from bridge.domain.messages import MessageKind
from bridge.http.app import create_app
from bridge.settings import load_settings
from tests.contract.helpers import book, bookable_slot, new_customer
from tests.flow.conftest import Flow
from tests.support.asgi_server import serve

SECRET = "whsec_" + "c2VjcmV0LWZvci13ZWJob29rLWZsb3ctdGVzdHMh"


def notify(http: httpx.Client, url: str, agenda: int, appointment: int, kind: str) -> str:
    body = json.dumps({"type": kind, "data": {"agenda_id": agenda, "appointment_id": appointment}})
    ident = f"msg_{uuid.uuid4().hex}"
    now = datetime.now(UTC)
    headers = {
        "webhook-id": ident,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(SECRET).sign(ident, now, body),
        "content-type": "application/json",
    }
    answer = http.post(f"{url}/webhooks/booking", content=body, headers=headers)
    assert answer.status_code == 202, answer.text
    return ident


def test_changes_announced_by_webhooks(flow: Flow) -> None:
    settings = load_settings({
        "OABRIDGE_REDIS_URL": flow.settings.redis_url, "OABRIDGE_WEBHOOK_SECRET": SECRET,
    })
    with serve(create_app(settings)) as ingress, httpx.Client() as http:
        slot = bookable_slot(flow.api, flow.clock.now().date() + timedelta(days=3))
        appointment = book(flow.api, slot, new_customer(flow.api))
        first = notify(http, ingress, slot.agenda.id, appointment, "appointment.changed")
        flow.run_jobs()
        assert [k for k, i in flow.events() if i == appointment] == ["created"]
        # The webhook-id follows the change into the plan, for the send job's logs.
        assert {flow.rt.plans.correlation(m.key) for m in flow.planned_for(appointment)} \
            == {first}

        before = flow.api.get_appointment(appointment)
        flow.clock.advance(timedelta(minutes=1))
        moved = before.start + timedelta(days=1)
        flow.api.set_appointment(
            slot.agenda.id, before.customer_id or 0, slot.kind.id, moved.date(), moved.time(),
            appointment_id=appointment, booking_mode=BookingMode.CUSTOMER,
        )
        notify(http, ingress, slot.agenda.id, appointment, "appointment.changed")
        flow.run_jobs()
        assert [k for k, i in flow.events() if i == appointment][-1] == "rescheduled"
        assert all(m.start == moved for m in flow.planned_for(appointment)
                   if m.kind is MessageKind.REMINDER)

        flow.clock.advance(timedelta(minutes=1))
        flow.api.cancel_appointment(appointment, mode=CancelMode.COMPANY)
        ident = notify(http, ingress, slot.agenda.id, appointment, "appointment.changed")
        flow.run_jobs()
        assert [k for k, i in flow.events() if i == appointment][-1] == "cancelled"

        flow.api.remove_appointment(appointment)
        notify(http, ingress, slot.agenda.id, appointment, "appointment.deleted")
        flow.run_jobs()
        assert [k for k, i in flow.events() if i == appointment][-1] == "deleted"
        assert not [m for m in flow.planned_for(appointment) if m.kind is MessageKind.REMINDER]

        # A redelivered notice is accepted and changes nothing.
        events = flow.events()
        body = json.dumps({"type": "appointment.changed",
                           "data": {"agenda_id": slot.agenda.id, "appointment_id": appointment}})
        now = datetime.now(UTC)
        again = http.post(f"{ingress}/webhooks/booking", content=body, headers={
            "webhook-id": ident, "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": Webhook(SECRET).sign(ident, now, body),
        })
        assert again.status_code == 202 and again.json()["duplicate"] is True
        flow.run_jobs()
        assert flow.events() == events
        assert flow.failed_jobs() == []
