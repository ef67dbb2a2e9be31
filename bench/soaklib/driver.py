"""The practice and its customers: seeded random changes, webhooks and SMS replies.

The practice works through the booking API like any other client (books PENDING and
APPROVED appointments, confirms, moves, cancels, removes); a share of its changes is
also announced as a signed webhook, some twice, some out of order, some stale.
Customers answer the SMS they got through the sandbox's inbound SMS, as Twilio would
deliver them, also while the ingress is down. Every act goes into the journal first.

Choices that keep the oracle exact: each appointment has its own customer; once a
customer sent an answerable reply the practice leaves that appointment alone; a
customer who sent STOP sends nothing but START or YES until opted in again.
"""

from __future__ import annotations

import json
import random
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from standardwebhooks import Webhook

from bench.soaklib import world
from bench.soaklib.journal import (
    APPROVED,
    CANCELLED,
    LIVE,
    PENDING,
    REMOVED,
    Appointment,
    Journal,
    Reply,
    State,
)
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
        self.people = {c.id: c for c in people}
        self.unused = list(people)
        self.rng = rng
        self.pace = pace
        self.http = httpx.Client(timeout=30)
        self.webhook = Webhook(endpoints.webhook_secret)
        self.pool = ThreadPoolExecutor(max_workers=6, thread_name_prefix="soak-io")
        self.pending_io: list[Future[None]] = []
        self.held_webhooks: dict[int, tuple[str, dict[str, Any]]] = {}
        """Per appointment, a notice held back to be sent after the next one about it."""
        self.opted_out: dict[str, tuple[float, bool]] = {}
        """Phone -> when it sent STOP, and whether the ingress was up then."""
        self.ingress_down = threading.Event()
        self.lock = threading.Lock()

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

    def _movable(self, now: float, status: str | None = None) -> list[Appointment]:
        return [a for a in self.journal.appointments.values()
                if not a.frozen and a.state.status in LIVE
                and (status is None or a.state.status == status)
                and a.state.start.timestamp() > now + 5]

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
        self._announce(appointment, deleted=False)
        return True

    def _code(self, appointment_id: int) -> str | None:
        outbox = self.http.get(f"{self.endpoints.sandbox}/_sandbox/outbox").json()
        codes = [e["code"] for e in outbox if e.get("appointment_id") == appointment_id]
        return codes[-1] if codes else None

    def confirm(self, now: float) -> bool:
        candidates = [a for a in self._movable(now, PENDING) if a.code]
        if not candidates:
            return False
        appointment = self.rng.choice(candidates)
        assert appointment.code is not None
        return self._change(appointment, "confirm", APPROVED, appointment.state.start,
                            lambda: self.api.confirm_appointment(appointment.id,
                                                                 appointment.code or ""))

    def move(self, now: float) -> bool:
        candidates = self._movable(now)
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
        candidates = self._movable(now)
        if not candidates:
            return False
        appointment = self.rng.choice(candidates)
        return self._change(appointment, "cancel", CANCELLED, appointment.state.start,
                            lambda: self.api.cancel_appointment(appointment.id,
                                                                mode=CancelMode.COMPANY))

    def remove(self, now: float) -> bool:
        candidates = self._movable(now)
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
        self._announce(appointment, deleted=status == REMOVED)
        return True

    # --- webhooks -----------------------------------------------------------------------

    def _announce(self, appointment: Appointment, *, deleted: bool) -> None:
        """A share of changes also goes out as a signed webhook, some of them spoiled."""
        if self.rng.random() >= 0.5:
            return
        body = {"type": "appointment.deleted" if deleted else "appointment.changed",
                "data": {"agenda_id": world.AGENDA_ID, "appointment_id": appointment.id}}
        msg_id = f"msg_{uuid.UUID(int=self.rng.getrandbits(128)).hex}"
        roll = self.rng.random()
        if roll < 0.05:
            self._submit(self._post_webhook, msg_id, body, "stale")
            return
        if roll < 0.15 and appointment.id not in self.held_webhooks:
            # Sent after the next notice about the same appointment: out of order.
            self.held_webhooks[appointment.id] = (msg_id, body)
            return
        self._submit(self._post_webhook, msg_id, body, "sent")
        if roll < 0.25:
            self._submit(self._post_webhook, msg_id, body, "duplicate")
        held = self.held_webhooks.pop(appointment.id, None)
        if held is not None:
            self._submit(self._post_webhook, *held, "out_of_order")

    def _post_webhook(self, msg_id: str, body: dict[str, Any], how: str) -> None:
        payload = json.dumps(body)
        stamp = datetime.now(UTC) - (timedelta(minutes=10) if how == "stale" else timedelta())
        headers = {"webhook-id": msg_id, "webhook-timestamp": str(int(stamp.timestamp())),
                   "webhook-signature": self.webhook.sign(msg_id, stamp, payload),
                   "content-type": "application/json"}
        with self.lock:
            self.journal.webhooks[how] += 1
        try:
            answer = self.http.post(f"{self.endpoints.ingress}/webhooks/booking",
                                    content=payload, headers=headers)
        except httpx.HTTPError:
            with self.lock:
                self.journal.webhooks["refused (ingress down)"] += 1
            return
        expected = 401 if how == "stale" else 202
        if answer.status_code != expected:
            with self.lock:
                self.journal.webhooks[f"unexpected {answer.status_code} ({how})"] += 1

    # --- customers ----------------------------------------------------------------------

    def maybe_reply(self, now: float) -> None:
        for phone, (since, delivered) in list(self.opted_out.items()):
            if now - since > 3 and self.rng.random() < 0.1:
                del self.opted_out[phone]
                # YES opts in only where the bridge already knows of the STOP (else it
                # confirms, as at Twilio): a STOP sent while the ingress was down may
                # still be on its way through the inbound reconciliation.
                words = ["START", "UNSTOP"] + (["YES"] if delivered and now - since > 20 else [])
                self._reply(phone, self.rng.choice(words), "start", None)
                return
        candidates = [a for a in self._movable(now)
                      if a.state.start.timestamp() > now + 45
                      and self.people[a.customer_id].mobile not in self.opted_out
                      and self.people[a.customer_id].mobile]
        if not candidates:
            return
        appointment = self.rng.choice(candidates)
        phone = self.people[appointment.customer_id].mobile
        assert phone is not None
        if not self._has_texts(phone):
            return
        kind = self.rng.choices(["code", "wrong_code", "ja", "nee", "text", "stop"],
                                [30, 5, 15, 25, 10, 15])[0]
        if kind == "code" and not appointment.code:
            kind = "ja"
        body = {
            "code": (appointment.code or "").lower() if self.rng.random() < 0.3
            else appointment.code or "",
            "wrong_code": "ZZ9ZZ9", "ja": self.rng.choice(["JA", "ja!", " Ja ", "Yes"]),
            "nee": self.rng.choice(["NEE", "nee.", "Annuleer", "N", "No", "AFZEGGEN"]),
            "text": self.rng.choice(["Hoe laat was het ook alweer?", "nee hoor, ik kom gewoon",
                                     "Ik ben iets later 🙂", "HELP", "info"]),
            "stop": self.rng.choice(["STOP", "Stop", "REVOKE", "OPTOUT", "CANCEL", "STOPALL",
                                     "UNSUBSCRIBE", "END", "QUIT", "AFMELDEN"]),
        }[kind]
        if kind == "text" and body.lower() in {"help", "info"}:
            kind = "help"  # Twilio answers it; the bridge must not
        if kind == "stop":
            self.opted_out[phone] = (now, not self.ingress_down.is_set())
        else:
            appointment.frozen = True
        self._reply(phone, body, kind, appointment)

    def _has_texts(self, phone: str) -> bool:
        sid = self.endpoints.twilio_sid
        url = f"{self.endpoints.sandbox}/2010-04-01/Accounts/{sid}/Messages.json"
        answer = self.http.get(url, params={"To": phone, "PageSize": 1},
                               auth=(sid, self.endpoints.twilio_token))
        return answer.status_code == 200 and bool(answer.json().get("messages"))

    def _reply(self, phone: str, body: str, kind: str, appointment: Appointment | None) -> None:
        reply = Reply(time.time(), phone, body, kind,
                      appointment.id if appointment else None,
                      appointment.state.status if appointment else None,
                      self.ingress_down.is_set())
        with self.lock:
            self.journal.replies.append(reply)
        self._submit(self._post_reply, phone, body)

    def _post_reply(self, phone: str, body: str) -> None:
        answer = self.http.post(f"{self.endpoints.sandbox}/_sandbox/twilio/inbound",
                                json={"from": phone, "body": body})
        if answer.status_code != 201:
            with self.lock:
                self.journal.driver_errors[f"inbound {answer.status_code}"] += 1

    # --- plumbing -----------------------------------------------------------------------

    def _submit(self, work: Callable[..., None], *args: Any) -> None:
        self.pending_io.append(self.pool.submit(work, *args))

    def finish(self) -> None:
        for held in self.held_webhooks.values():  # never followed by another: late
            self._submit(self._post_webhook, *held, "out_of_order")
        self.held_webhooks.clear()
        for future in self.pending_io:
            future.result()
        self.pool.shutdown()
        self.http.close()
