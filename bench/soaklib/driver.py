"""The practice and its customers: seeded random changes, webhooks and SMS replies.

The practice works through the booking API like any other client (books PENDING and
APPROVED appointments, confirms, moves, cancels, removes); a share of its changes is
also announced as a signed webhook, some twice, some out of order, some stale
(`webhooks`). Customers answer the SMS they got through the sandbox's inbound SMS, as
Twilio would deliver them, also while the ingress is down (`customers`). Every act goes
into the journal first. One seeded random source drives all three, in one order.

Choices that keep the oracle exact: each appointment has its own customer; once a
customer sent an answerable reply the practice leaves that appointment alone; a
customer who sent STOP sends nothing but START or YES until opted in again.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from bench.soaklib import world
from bench.soaklib.customers import Customers
from bench.soaklib.journal import APPROVED, CANCELLED, PENDING, REMOVED, Appointment, Journal, State
from bench.soaklib.webhooks import WebhookNotices
from bench.soaklib.world import AMSTERDAM
from bridge.booking import BookingClient
from bridge.booking.models import BookingMode, CancelMode


@dataclass(frozen=True)
class Pace:
    changes: int
    seconds: float
    """How long the practice keeps changing things."""
    earliest_lead: float = 40.0
    """No appointment is booked or moved closer than this to now."""
    tail: float = 60.0
    """Appointments start at the latest this long after the changes end."""


@dataclass(frozen=True)
class Endpoints:
    sandbox: str
    ingress: str
    webhook_secret: str
    twilio_sid: str
    twilio_token: str


class Driver:
    def __init__(self, journal: Journal, api: BookingClient, endpoints: Endpoints,
                 people: list[world.Customer], rng: random.Random, pace: Pace) -> None:
        self.journal = journal
        self.api = api
        self.endpoints = endpoints
        self.unused = list(people)
        self.rng = rng
        self.pace = pace
        self.http = httpx.Client(timeout=30)
        self.pool = ThreadPoolExecutor(max_workers=6, thread_name_prefix="soak-io")
        self.pending_io: list[Future[None]] = []
        self.ingress_down = threading.Event()
        self.lock = threading.Lock()
        self.notices = WebhookNotices(journal, rng, self.http, endpoints, self.lock,
                                      self._submit)
        self.customers = Customers(journal, people, rng, self.http, endpoints, self.lock,
                                   self._submit, self.ingress_down)

    # --- the practice -----------------------------------------------------------------

    def act(self, now: float) -> None:
        """One change, chosen at random among those possible now."""
        choices: list[tuple[float, Callable[[float], bool]]] = [
            (0.40, self.book), (0.10, self.confirm), (0.20, self.move),
            (0.15, self.cancel), (0.15, self.remove),
        ]
        while choices:
            weights = [w for w, _ in choices]
            pick = self.rng.choices(range(len(choices)), weights)[0]
            if choices[pick][1](now):
                return
            choices.pop(pick)

    def _starts(self, now: float) -> list[datetime]:
        limit = max(self.journal.changes_ended + self.pace.tail, now + self.pace.earliest_lead + 60)
        first = datetime.fromtimestamp(now + self.pace.earliest_lead, UTC)
        minute = first.replace(second=0, microsecond=0) + timedelta(minutes=1)
        out = []
        while minute.timestamp() <= limit:
            out.append(minute)
            minute += timedelta(minutes=1)
        return out

    def book(self, now: float) -> bool:
        starts = self._starts(now)
        if not self.unused or not starts:
            return False
        customer = self.unused.pop(self.rng.randrange(len(self.unused)))
        start = self.rng.choice(starts)
        roll = self.rng.random()
        pending = roll < 0.5
        type_id = world.FIRM_TYPE if roll > 0.85 else world.QUICK_TYPE
        local = start.astimezone(AMSTERDAM)
        began = time.time()
        try:
            saved = self.api.set_appointment(
                world.AGENDA_ID, customer.id, type_id, local.date(), local.time(),
                booking_mode=BookingMode.CONSUMER if pending else BookingMode.CUSTOMER)
        except Exception as exc:  # the booking API under faults; the soak goes on
            self.journal.driver_errors[f"book: {type(exc).__name__}"] += 1
            return True
        at = time.time()
        code = self._code(saved.id) if pending else None
        appointment = Appointment(saved.id, customer.id, type_id, code)
        with self.lock:
            self.journal.appointments[saved.id] = appointment
            self.journal.record(appointment, State(began, at, "book",
                                                   PENDING if pending else APPROVED, start))
        self.notices.announce(appointment, deleted=False)
        return True

    def _code(self, appointment_id: int) -> str | None:
        outbox = self.http.get(f"{self.endpoints.sandbox}/_sandbox/outbox").json()
        codes = [e["code"] for e in outbox if e.get("appointment_id") == appointment_id]
        return codes[-1] if codes else None

    def confirm(self, now: float) -> bool:
        candidates = [a for a in self.journal.movable(now, PENDING) if a.code]
        if not candidates:
            return False
        appointment = self.rng.choice(candidates)
        assert appointment.code is not None
        return self._change(appointment, "confirm", APPROVED, appointment.state.start,
                            lambda: self.api.confirm_appointment(appointment.id,
                                                                 appointment.code or ""))

    def move(self, now: float) -> bool:
        candidates = self.journal.movable(now)
        if not candidates:
            return False
        appointment = self.rng.choice(candidates)
        starts = [s for s in self._starts(now) if s != appointment.state.start]
        if not starts:
            return False
        start = self.rng.choice(starts)
        local = start.astimezone(AMSTERDAM)
        return self._change(appointment, "move", appointment.state.status, start,
                            lambda: self.api.set_appointment(
                                world.AGENDA_ID, appointment.customer_id, appointment.type_id,
                                local.date(), local.time(), appointment_id=appointment.id,
                                booking_mode=BookingMode.CUSTOMER))

    def cancel(self, now: float) -> bool:
        candidates = self.journal.movable(now)
        if not candidates:
            return False
        appointment = self.rng.choice(candidates)
        return self._change(appointment, "cancel", CANCELLED, appointment.state.start,
                            lambda: self.api.cancel_appointment(appointment.id,
                                                                mode=CancelMode.COMPANY))

    def remove(self, now: float) -> bool:
        candidates = self.journal.movable(now)
        if not candidates:
            return False
        appointment = self.rng.choice(candidates)
        return self._change(appointment, "remove", REMOVED, appointment.state.start,
                            lambda: self.api.remove_appointment(appointment.id))

    def _change(self, appointment: Appointment, action: str, status: str, start: datetime,
                call: Callable[[], object]) -> bool:
        began = time.time()
        try:
            result = call()
        except Exception as exc:
            self.journal.driver_errors[f"{action}: {type(exc).__name__}"] += 1
            return True
        if action == "confirm" and result is not True:
            self.journal.driver_errors["confirm: refused"] += 1
            return True
        with self.lock:
            self.journal.record(appointment, State(began, time.time(), action, status, start))
        self.notices.announce(appointment, deleted=status == REMOVED)
        return True

    # --- customers --------------------------------------------------------------------

    def maybe_reply(self, now: float) -> None:
        """Perhaps one customer's reply (see `customers`)."""
        self.customers.maybe_reply(now)

    # --- plumbing -----------------------------------------------------------------------

    def _submit(self, work: Callable[..., None], *args: Any) -> None:
        self.pending_io.append(self.pool.submit(work, *args))

    def finish(self) -> None:
        self.notices.release_held()
        for future in self.pending_io:
            future.result()
        self.pool.shutdown()
        self.http.close()
