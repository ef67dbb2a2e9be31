"""Nothing is sent to an erased person: the rule every send follows.

After `oabridge erase` the booking API still has the customer and their appointments,
so polls go on planning messages for them, and a send job (or its retry) would fetch
their contact details again and text them. For as long as the erasure's tombstones
live (the retention, `bridge.store.tombstones`), a message whose customer id, number or
address has a tombstone is not sent: it is recorded in the skip log with the reason
`erased`, which names the appointment and the message kind, never the number or the
address; the message log gets no record of it, no conversation is opened, and contact
details fetched again are dropped from the cache at once. A reply from an erased
person is never handled, so it is never answered either (`bridge.replies.handling`).
"""

from __future__ import annotations

from bridge.outbound.contacts import Contact
from bridge.sending.services import SendingServices
from bridge.store.tombstones import customer, email, phone

__all__ = ["ERASED", "contact_to_send_to"]

#: The skip reason of a message to an erased person.
ERASED = "erased"


def contact_to_send_to(sv: SendingServices,
                       customer_id: int | None) -> tuple[Contact | None, str]:
    """(the contact, "") when the message may go, else (None, why not)."""
    if not customer_id:
        return None, "no_customer"
    if sv.tombstones.holds(customer(customer_id)):  # before asking: nothing is cached
        return None, ERASED
    contact = sv.contacts.get(customer_id)
    if contact is None:
        return None, "no_customer"
    if sv.tombstones.holds(phone(contact.mobile or ""), email(contact.email or "")):
        sv.contacts.forget(customer_id)
        return None, ERASED
    return contact, ""
