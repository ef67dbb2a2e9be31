"""A new outbound message from the API's parameters, checked in Twilio's order.

The order decides which error a request with several faults gets, so it follows the
table in sandbox/README.md ("Errors at creation"): required parameters, then the body's
length, the Messaging Service, the sender, the recipient (its test numbers and E.164
form), whether the recipient opted out of this sender (21610, `optouts.py`), and last
the status callback URL. Nothing is stored here; the caller stores what comes back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sandbox.twilio import errors
from sandbox.twilio.numbers import check_recipient, check_sender, check_service
from sandbox.twilio.optouts import OptOutList, list_owner
from sandbox.twilio.segments import count_segments
from sandbox.twilio.settings import check_url
from sandbox.twilio.store import MessageRecord, new_sid

__all__ = ["MAX_BODY", "outbound_record"]

MAX_BODY = 1600


def outbound_record(
    values: Mapping[str, str],
    media: int,
    direction: str,
    *,
    account_sid: str,
    numbers: Sequence[str],
    services: Sequence[str],
    opt_outs: OptOutList,
    now: datetime,
) -> MessageRecord:
    """The record for a create call (or a TwiML reply), or Twilio's `TwilioApiError`."""
    to = values.get("To", "").strip()
    sender = values.get("From", "").strip() or None
    service = values.get("MessagingServiceSid", "").strip() or None
    if sender is not None and sender.startswith("MG") and service is None:
        sender, service = None, sender  # Twilio accepts a service SID as From
    body = values.get("Body", "")
    callback = values.get("StatusCallback", "").strip() or None
    if not to:
        raise errors.to_required()
    if sender is None and service is None:
        raise errors.from_required()
    if not body.strip() and not media and not values.get("ContentSid"):
        raise errors.body_required()
    if len(body) > MAX_BODY:
        raise errors.body_too_long()
    if service is not None:
        check_service(service, services)
    if sender is not None:
        check_sender(sender, numbers)
    check_recipient(to, sender or numbers[0])
    if opt_outs.blocks(service or list_owner(sender or numbers[0], numbers, services), to):
        raise errors.unsubscribed(to)
    if callback is not None:
        try:
            check_url(callback, "StatusCallback")
        except ValueError:
            raise errors.invalid_status_callback(callback) from None
    return MessageRecord(
        sid=new_sid("MM" if media else "SM"),
        account_sid=account_sid,
        to=to,
        from_=sender,
        body=body,
        direction=direction,
        status="accepted" if service else "queued",
        num_segments=0 if service else count_segments(body).segments,
        date_created=now,
        date_updated=now,
        messaging_service_sid=service,
        num_media=media,
        status_callback=callback,
    )
