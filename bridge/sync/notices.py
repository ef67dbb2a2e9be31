"""What an upstream change notice leads to: an appointment re-read, a customer forgotten.

A notice only says that something changed, so the appointment is fetched as it is now;
a notice seen twice (a retry, a duplicate webhook) records the same state again, which
changes nothing.
"""

from __future__ import annotations

from typing import Any

from bridge.sync.observations import current_state, record
from bridge.sync.services import SyncServices

__all__ = ["forget_customer", "sync_appointment"]


def sync_appointment(
    sv: SyncServices, agenda_id: int, appointment_id: int, confirmation_code: str | None
) -> dict[str, Any]:
    """Fetch the appointment's current state and plan from it; keep a code the notice
    supplied, so a customer's reply without it can still be confirmed."""
    snapshot = current_state(sv, agenda_id, appointment_id)
    if confirmation_code:
        sv.codes.remember(appointment_id, confirmation_code)
    events = record(sv, [snapshot])
    return {"appointment": appointment_id, "events": events}


def forget_customer(sv: SyncServices, customer_id: int) -> dict[str, Any]:
    """A customer changed upstream: drop what is cached about their contact details."""
    return {"customer": customer_id, "dropped": sv.contacts.forget(customer_id)}
