"""`oabridge walkthrough`: start the sandbox and walk through the API with the client.

The demo for a new user: it starts the sandbox booking API on a local port, then
uses `BookingClient` (the same client the service uses) to look around, book an
appointment as a customer would, confirm it with the code the sandbox "sent", move,
cancel and remove it, printing every call and what came back.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import httpx

from bridge.booking import (
    BookingApiError,
    BookingClient,
    BookingMode,
    BookingNotFoundError,
    CalculationModel,
    CancelMode,
    iter_appointments,
)
from bridge.booking.models import Agenda, AppointmentType, BookableTime
from bridge.observability.logging import configure_logging
from sandbox.booking import BookingSandbox
from sandbox.booking.demo_data import DEMO_API_KEY, DEMO_API_SECRET
from sandbox.server import SandboxServer


def add_command(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "walkthrough",
        help="start the sandbox booking API and walk through every API method",
    )
    parser.add_argument("--host", default="127.0.0.1", help="sandbox address (127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="sandbox port (default: a free one)")
    parser.set_defaults(func=run)


class Narrator:
    """Numbers and prints each step."""

    def __init__(self) -> None:
        self.step = 0

    def say(self, call: str, outcome: str) -> None:
        self.step += 1
        print(f"{self.step:>3}. {call:<34} {outcome}")


@dataclass
class Booking:
    agenda: Agenda
    kind: AppointmentType
    slot: BookableTime
    customer_id: int


def run(args: argparse.Namespace) -> int:
    configure_logging(json=False, level="WARNING")
    booking = BookingSandbox(DEMO_API_KEY, DEMO_API_SECRET)
    with SandboxServer(booking, host=args.host, port=args.port) as server:
        print(f"Sandbox booking API at {server.api_url} (key {DEMO_API_KEY})\n")
        with BookingClient(server.api_url, DEMO_API_KEY, DEMO_API_SECRET) as api:
            walk(api, server.base_url, Narrator())
    print("\nWalkthrough complete: every call above went over HTTP to the sandbox.")
    return 0


def walk(api: BookingClient, sandbox_url: str, say: Narrator) -> None:
    booking = look_around(api, say)
    appointment_id = book_and_confirm(api, booking, sandbox_url, say)
    change_and_cancel(api, booking, appointment_id, say)
    availability_and_settings(api, booking, say)


def look_around(api: BookingClient, say: Narrator) -> Booking:
    agendas = api.get_agendas()
    agenda = next((a for a in agendas if a.is_default), agendas[0])
    say.say("getAgendas", f"{len(agendas)} agenda(s); default: {agenda.name!r} (id {agenda.id})")
    say.say("getAgenda", f"align grid {api.get_agenda(agenda.id).align_grid} min")
    kinds = api.get_appointment_types(agenda.id)
    bookable = [k for k in kinds if k.bookable_by_consumer]
    say.say("getAppointmentTypes", ", ".join(f"{k.name} ({k.duration_minutes} min)" for k in kinds))
    kind = api.get_appointment_type(bookable[0].id)
    say.say("getAppointmentType", f"{kind.name}: bookable by consumers={kind.bookable_by_consumer}")
    resources = api.get_resources(agenda.id)
    say.say("getResources", ", ".join(r.name for r in resources))
    say.say("getResource", api.get_resource(resources[0].id).name)
    fields = api.get_fields(agenda.id, kind.id)
    say.say("getFields", ", ".join(f"{f.key}{'*' if f.required else ''}" for f in fields) or "-")
    say.say("requiresConfirmation", str(api.requires_confirmation()))
    today = date.today()
    days = api.get_bookable_days(agenda.id, kind.id, today, today + timedelta(days=21))
    say.say("getBookableDays", f"{len(days)} bookable days in the next three weeks")
    chosen_day = days[1].date if len(days) > 1 else days[0].date
    slots = api.get_bookable_times(agenda.id, kind.id, chosen_day)
    slot = slots[len(slots) // 2]
    say.say("getBookableTimes", f"{len(slots)} slots on {slot.date}; pick {slot.start_time:%H:%M}")
    stamp = datetime.now().strftime("%H%M%S")
    saved = api.set_customer(
        email=f"chloe.dewit+{stamp}@example.nl",
        first_name="Chloë",
        insertions="de",
        last_name="Wit",
        mobile_phone="06-12345678",
        username=f"chloe{stamp}",
        password="geheim123",
    )
    say.say("setCustomer", f"new customer id {saved.id}")
    customer = api.get_customer(saved.id)
    say.say("getCustomer", f"{customer.full_name}, mobile {customer.mobile_phone[:4]}…")
    login = api.login_customer(f"chloe{stamp}", "geheim123")
    say.say("loginCustomer", f"credentials accepted for customer {login.id}")
    page = api.get_customers(limit=3)
    total = page.stats.total_records if page.stats else len(page.items)
    say.say("getCustomers", f"{len(page.items)} of {total} customers on the first page")
    return Booking(agenda, kind, slot, saved.id)


def _required_extras(api: BookingClient, booking: Booking) -> dict[str, str]:
    fields = api.get_fields(booking.agenda.id, booking.kind.id)
    return {f.key: "demo" for f in fields if f.required and f.type.lower() == "appointment"}


def book_and_confirm(api: BookingClient, booking: Booking, sandbox_url: str, say: Narrator) -> int:
    slot = booking.slot
    end = (
        datetime.combine(slot.date, slot.start_time)
        + timedelta(minutes=booking.kind.duration_minutes)
    ).time()
    saved = api.set_appointment(
        booking.agenda.id,
        booking.customer_id,
        booking.kind.id,
        slot.date,
        slot.start_time,
        end,
        resource_id=slot.resource_id,
        extra_fields=_required_extras(api, booking),
    )
    appointment = api.get_appointment(saved.id)
    say.say("setAppointment (as consumer)", f"appointment {saved.id}: {appointment.label.name}")
    outbox = httpx.get(f"{sandbox_url}/_sandbox/outbox", timeout=5).json()
    code = next(m["code"] for m in reversed(outbox) if m["appointment_id"] == saved.id)
    say.say("(customer reads the SMS)", f"confirmation code {code}")
    wrong = api.confirm_appointment(saved.id, "WRONG1")
    say.say("confirmAppointment (wrong code)", f"confirmed={wrong}")
    right = api.confirm_appointment(saved.id, code)
    label = api.get_appointment(saved.id).label.name
    say.say("confirmAppointment (right code)", f"confirmed={right}; label now {label}")
    return saved.id


def change_and_cancel(
    api: BookingClient, booking: Booking, appointment_id: int, say: Narrator
) -> None:
    before = api.get_appointment(appointment_id)
    moved_start = (before.start + timedelta(hours=1)).time()
    moved_end = (before.finish + timedelta(hours=1)).time()
    api.set_appointment(
        booking.agenda.id,
        booking.customer_id,
        booking.kind.id,
        before.start.date(),
        moved_start,
        moved_end,
        appointment_id=appointment_id,
        booking_mode=BookingMode.CUSTOMER,
    )
    after = api.get_appointment(appointment_id)
    say.say("setAppointment (move, as company)", f"{before.start:%H:%M} → {after.start:%H:%M}")
    changed = list(
        iter_appointments(
            api,
            booking.agenda.id,
            updated_after=before.updated - timedelta(seconds=1) if before.updated else None,
            include_cancelled=True,
        )
    )
    say.say("getAppointments (UpdatedAfter)", f"{len(changed)} changed appointment(s)")
    api.cancel_appointment(appointment_id, dry_run=True)
    say.say("cancelAppointment (DryRun)", "allowed; nothing changed")
    api.cancel_appointment(appointment_id, mode=CancelMode.CUSTOMER)
    say.say("cancelAppointment", f"label now {api.get_appointment(appointment_id).label.name}")
    api.remove_appointment(appointment_id)
    try:
        api.get_appointment(appointment_id)
        outcome = "still there?!"
    except BookingNotFoundError as exc:
        outcome = f"gone ({exc.summary})"
    say.say("removeAppointment", outcome)


def availability_and_settings(api: BookingClient, booking: Booking, say: Narrator) -> None:
    day = booking.slot.date + timedelta(days=1)
    while day.weekday() != 5:  # a Saturday: outside the weekly schedule
        day += timedelta(days=1)
    before = api.get_bookable_times(booking.agenda.id, booking.kind.id, day)
    block = api.ch_add_block(booking.agenda.id, day, time(10, 0), time(12, 0))
    after = api.get_bookable_times(booking.agenda.id, booking.kind.id, day)
    say.say("CHAddBlock", f"block {block} on {day}: {len(before)} → {len(after)} slots")
    blocks = api.get_bookable_blocks(booking.agenda.id, booking.kind.id, day)
    spans = ", ".join(
        f"{b.start_time:%H:%M}-{b.end_time:%H:%M} (resource {b.resource_id})" for b in blocks
    )
    say.say("getBookableBlocks", spans)
    api.ch_remove_block(booking.agenda.id, block)
    left = api.get_bookable_times(booking.agenda.id, booking.kind.id, day)
    say.say("CHRemoveBlock", f"{len(left)} slots left that day")
    api.set_calculation_model_settings(
        booking.agenda.id, booking.kind.id, CalculationModel.LIMIT, {"max_per_day": 8}, enabled=True
    )
    stored = api.get_calculation_model_settings(
        booking.agenda.id, booking.kind.id, CalculationModel.LIMIT
    )
    say.say("set/getCalculationModelSettings", f"{stored.name}: {stored.value_json}")
    try:
        api.set_customer(email="not-an-address", first_name="", last_name="Test")
    except BookingApiError as exc:
        say.say("setCustomer (invalid)", f"refused: {'; '.join(exc.field_errors)}")
