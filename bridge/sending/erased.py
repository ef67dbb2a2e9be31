"""Nothing is sent to an erased person: the rule every send follows.

After `oabridge erase` the booking API still has the customer and their appointments,
so polls go on planning messages for them, and a send job (or its retry) would fetch
their contact details again and text them. For as long as the erasure's tombstones
live (the retention, `bridge.store.tombstones`), a message whose customer id, number or
address has a tombstone is not sent: it is recorded in the skip log with the reason
`erased`, which names the appointment and the message kind, never the number or the
address; the message log gets no record of it, no conversation is opened, and contact
details fetched again are dropped at once (`bridge.outbound.contacts`). A reply from an
erased person is never handled, so it is never answered either
(`bridge.replies.handling`).

An erasure that runs while a message is being sent (after the check, before the
message log's record) cannot stop that SMS, but it must not leave its record: after
the send, the tombstones are checked again and what the send wrote is swept
(`Erasure.sweep_if_erased`).
"""

from __future__ import annotations

from collections.abc import Sequence

from bridge.outbound.contacts import ERASED, Contact
from bridge.sending.services import SendingServices
from bridge.store.erasure import Erasure

__all__ = ["ERASED", "contact_to_send_to", "swept_after_send"]


def contact_to_send_to(sv: SendingServices,
                       customer_id: int | None) -> tuple[Contact | None, str]:
    """(the contact, "") when the message may go, else (None, why not)."""
    if not customer_id:
        return None, "no_customer"
    return sv.contacts.lookup(customer_id)


def swept_after_send(sv: SendingServices, customer_id: int | None,
                     numbers: Sequence[str | None], addresses: Sequence[str | None] = ()) -> bool:
    """After a send's last write: whether its person was erased meanwhile (then what the
    send recorded about them is gone again)."""
    erasure = Erasure(sv.tombstones.redis, sv.tombstones)
    return erasure.sweep_if_erased(customer_id=customer_id, numbers=numbers,
                                   addresses=addresses)
