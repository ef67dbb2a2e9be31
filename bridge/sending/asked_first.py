"""After Redis forgot: what an SMS that may have gone out before asks Twilio first.

The loss took the claims that keep a message from going twice (`bridge.sending.recovery`
says which sends ask). Such a send:

1. waits until every attempt from before the loss has surely ended: one that claimed in
   the lost memory may still be mid-request for `ORPHAN_SECONDS` after it (`lost_at` is
   when the loss was found, after it happened). Until then the claim is given back and
   the send held (`SendHeldBack` until then).
2. looks in Twilio's log for its text to its number since its earliest time: found, it
   is recorded as sent with Twilio's id, and not sent.
3. under `sms_or_email`, to a customer with an e-mail address, for a message whose time
   came before the loss: asks whether the number was opted out at some moment from the
   message's earliest time to the loss (what it texted, `Recovery.opted_out_between`).
   Then the message went by e-mail, which nobody can ask an SMTP server about, and the
   SMS would be its second copy: skipped as `MEMORY_LOST`, as its e-mail would be. Seen
   in the full soak: STOP, a cancellation e-mailed, START, Redis forgot; the
   cancellation, read again, was not in Twilio's log and went by SMS too. The price is
   the e-mail rule's: such a message whose e-mail had not gone out yet is not sent.

Twilio's log that cannot be read gives the claim back and holds the send (it is made
later, never blind).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from enum import Enum

import structlog

from bridge.outbound.errors import SendHeldBack, TransientSendError
from bridge.sending.handover import linked_elsewhere, record_found, skip_claimed
from bridge.sending.recovery import MEMORY_LOST
from bridge.sending.services import SendingServices
from bridge.store.claims import ORPHAN_SECONDS
from bridge.store.epoch import Epoch

__all__ = ["FOUND_AFTER_LOSS", "Asked", "ask_first"]

log = structlog.get_logger(__name__)


#: The timeline detail of an SMS found in Twilio's log instead of sent.
FOUND_AFTER_LOSS = "found at Twilio after Redis lost its memory; not repeated"


class Asked(Enum):
    """What Twilio's answers make of the send."""

    SEND = "send"  # nothing found: the claim is ours, send
    FOUND = "found"  # in Twilio's log: recorded as sent
    MAYBE_EMAILED = "maybe_emailed"  # may have gone by e-mail: recorded as skipped


def ask_first(sv: SendingServices, message_id: str, recipient: str,
              matches: Callable[[str], bool], epoch: Epoch, since: datetime,
              could_have_emailed: bool) -> Asked:
    """Steps 1-3 of the module for the claimed SMS `message_id`: `matches` accepts the
    texts it may have had, `since` is its earliest time, `could_have_emailed` says step 3
    applies. Raises `SendHeldBack` (the claim given back) when it must wait."""
    _wait_out_the_loss(sv, message_id, epoch)
    try:
        found = sv.recovery.find_sent(recipient, matches, since,
                                      taken=lambda sid: linked_elsewhere(sv, sid, message_id))
        emailed = found is None and could_have_emailed and epoch.lost_at is not None \
            and sv.recovery.opted_out_between(recipient, since, epoch.lost_at)
    except TransientSendError as exc:
        sv.claims.release(message_id)
        sv.messages.advance(message_id, "retrying", sv.clock.now(), detail=exc.reason)
        raise
    if found is not None:
        record_found(sv, message_id, found.provider_id, FOUND_AFTER_LOSS)
        sv.recovery.epochs.count("found_sent")
        log.info("recovery_found_sent", message=message_id, sid=found.provider_id)
        return Asked.FOUND
    if emailed:
        skip_claimed(sv, message_id, MEMORY_LOST)
        sv.recovery.epochs.count("sms_skipped")
        log.info("recovery_sms_skipped", message=message_id, why="may have gone by e-mail")
        return Asked.MAYBE_EMAILED
    return Asked.SEND


def _wait_out_the_loss(sv: SendingServices, message_id: str, epoch: Epoch) -> None:
    lost_at = epoch.lost_at
    if lost_at is None:
        return
    ripe = lost_at + timedelta(seconds=ORPHAN_SECONDS + 1)
    if sv.clock.now() < ripe:
        sv.claims.release(message_id)
        raise SendHeldBack("an attempt from before the memory was lost may still be "
                           "sending", until=ripe)
