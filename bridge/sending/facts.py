"""What a message says about its appointment, gathered from the booking API.

The appointment type's and practitioner's names change rarely and are asked for
once per process and hour, not once per message.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from datetime import datetime

from bridge.booking import BookingClient, BookingError
from bridge.domain.snapshot import Snapshot
from bridge.outbound.contacts import Contact
from bridge.rendering import MessageContext

__all__ = ["CatalogueCache", "MessageFacts"]

CACHE_SECONDS = 3600
#: Shown only when neither OABRIDGE_PRACTICE_NAME nor the agenda has a name.
FALLBACK_PRACTICE_NAME = "OnlineAfspraken"


@dataclass(frozen=True, slots=True)
class MessageFacts:
    """One message to render: its template kind, the customer's language, and what the
    template may show (built here, in one place, from the appointment and contact)."""

    kind: str
    language: str
    context: MessageContext

    def unanswerable(self) -> MessageFacts:
        """The same message where the customer cannot answer by SMS (e-mail instead)."""
        return replace(self, context=replace(self.context, can_reply=False))


class CatalogueCache:
    """Names of appointment types, resources and agendas, cached for an hour."""

    def __init__(self, booking: BookingClient) -> None:
        self.booking = booking
        self._names: dict[tuple[str, int], tuple[float, str]] = {}

    def _name(self, what: str, ident: int | None) -> str:
        if not ident:
            return ""
        cached = self._names.get((what, ident))
        if cached is not None and time.monotonic() - cached[0] < CACHE_SECONDS:
            return cached[1]
        try:
            if what == "type":
                name = self.booking.get_appointment_type(ident).name
            elif what == "resource":
                name = self.booking.get_resource(ident).name
            else:
                name = self.booking.get_agenda(ident).name
        except BookingError:
            return ""  # a name is nice to have; the message still goes out
        self._names[(what, ident)] = (time.monotonic(), name)
        return name

    def practice_name(self, configured: str, agenda_id: int | None) -> str:
        """How every text names the practice (reminders and answers to replies alike):
        the setting, else the agenda's name, else a fallback."""
        return configured or self._name("agenda", agenda_id) or FALLBACK_PRACTICE_NAME

    def facts(
        self,
        kind: str,
        state: Snapshot,
        contact: Contact,
        *,
        previous_start: datetime | None,
        practice_name: str,
        practice_phone: str,
        confirmation_code: str | None,
        can_reply: bool,
    ) -> MessageFacts:
        """Raises `ValueError` when the appointment's times cannot be shown (an end
        before the start)."""
        resource = state.resource_ids[0] if state.resource_ids else 0
        return MessageFacts(kind, contact.language, MessageContext(
            customer_first_name=contact.first_name,
            customer_name=contact.full_name,
            start=state.start,
            end=state.finish,
            previous_start=previous_start,
            appointment_type=self._name("type", state.appointment_type_id),
            practitioner=self._name("resource", resource),
            practice_name=self.practice_name(practice_name, state.agenda_id),
            practice_phone=practice_phone,
            confirmation_code=confirmation_code,
            can_reply=can_reply,
        ))
