"""What the outside world saw: the messages the sandbox's Twilio API accepted and the
mail its SMTP sink received, each read back as a customer would read it, and each
appointment's status as the booking API has it at the end."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from bench.soaklib import texts
from bench.soaklib.journal import APPROVED, CANCELLED, PENDING, REMOVED
from bridge.booking import BookingClient, BookingNotFoundError
from bridge.booking.models import Label


@dataclass(frozen=True)
class Sent:
    channel: str
    to: str
    at: float
    """When the provider accepted it (epoch seconds)."""
    reading: texts.Reading
    provider_id: str
    text: str
    log_id: str | None = None
    """The bridge's message-log id for this provider message (appointment:kind:variant:
    start:channel for planned ones), filled in by `with_log_ids`."""

    @property
    def variant(self) -> str | None:
        parts = (self.log_id or "").split(":")
        return parts[2] if len(parts) == 5 else None


@dataclass(frozen=True)
class Received:
    """An SMS a customer sent, as the Twilio API kept it."""

    sid: str
    phone: str
    body: str
    at: float


def _moment(message: dict[str, Any]) -> float:
    precise = message.get("sandbox_created_at")
    if isinstance(precise, str):
        return datetime.fromisoformat(precise).timestamp()
    return parsedate_to_datetime(message["date_created"]).timestamp()


def with_log_ids(sent: list[Sent], log_id_of: Callable[[str], str | None]) -> list[Sent]:
    return [replace(s, log_id=log_id_of(s.provider_id)) for s in sent]


def twilio_messages(sandbox: str) -> tuple[list[Sent], list[Received]]:
    """What customers sent and what the bridge sent them. Twilio's own answers to STOP,
    START and HELP (marked `sandbox_auto_reply`) are neither; a message Twilio refused
    (21610: opted out) was never created, so it is not listed at all."""
    listing = httpx.get(f"{sandbox}/_sandbox/twilio/messages", timeout=60).json()
    sent, received = [], []
    for m in listing:
        if m.get("sandbox_auto_reply"):
            continue
        if m["direction"] == "inbound":
            received.append(Received(m["sid"], m["from"], m["body"], _moment(m)))
        else:
            sent.append(Sent("sms", m["to"], _moment(m), texts.read(m["body"]), m["sid"],
                             m["body"]))
    return sent, received


def mails(sandbox: str) -> list[Sent]:
    out = []
    for m in httpx.get(f"{sandbox}/_sandbox/mail", timeout=60).json():
        at = datetime.fromisoformat(m["received_at"]).timestamp()
        reading = texts.read_mail(m.get("subject") or "", m.get("text") or "")
        for to in m["envelope_to"]:
            out.append(Sent("email", to.lower(), at, reading, m.get("message_id") or "",
                            m.get("subject") or ""))
    return out


def final_statuses(api: BookingClient,
                   ids: list[int]) -> tuple[dict[int, str], dict[int, float]]:
    """Each appointment's status as the booking API has it now, and its UpdateTime."""
    names = {Label.PENDING: PENDING, Label.APPROVED: APPROVED, Label.CANCELLED: CANCELLED}
    statuses: dict[int, str] = {}
    updated: dict[int, float] = {}
    for appointment_id in ids:
        try:
            appointment = api.get_appointment(appointment_id)
        except BookingNotFoundError:
            statuses[appointment_id] = REMOVED
            continue
        statuses[appointment_id] = names.get(appointment.label, appointment.label.name)
        if appointment.updated is not None:
            updated[appointment_id] = appointment.updated.timestamp()
    return statuses, updated
