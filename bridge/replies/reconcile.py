"""Finding replies Twilio received that the bridge never heard of (ingress or Redis
down), and replies recorded whose job was lost: each is queued for handling once.

A scan reads a bounded window only (`bridge.store.inbound_window`): messages sent since
the last complete scan began, less a small overlap, and never older than the retention;
without a watermark (an emptied Redis) the last two scan intervals. Twilio filters by
`DateSent>`, and each message is checked again here, so a reply older than the window
is never recorded or handled, however Twilio answers. The scan reads every page of its
window (`PAGE_SIZE` a page), however busy the number: only then does the watermark
move. A message from an erased person (its MessageSid or its sender has a tombstone,
`bridge.store.tombstones`) is passed over: not recorded, not handled, not answered;
one erased between the check and the record is swept again (`bridge.store.erasure`).
After a loss of Redis's memory, a reply found again that Twilio's log shows answered
before the loss is set aside by the scan, not queued (`bridge.replies.answered_in_scan`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import requests
import structlog
from twilio.base.exceptions import TwilioException

from bridge.queueing.jobs import JOBS
from bridge.replies.answered_in_scan import AnsweredInScan
from bridge.replies.services import ReplyServices
from bridge.store.erasure import Erasure
from bridge.store.periodic_claims import PeriodicClaims
from bridge.store.tombstones import phone, sid

__all__ = ["PAGE_SIZE", "STUCK_SECONDS", "reconcile"]

log = structlog.get_logger(__name__)

#: A recorded reply still unhandled after this long had its job lost; queue it again.
STUCK_SECONDS = 300
#: Messages per page of Twilio's listing. A scan reads every page of its window: Twilio
#: lists newest first, so a scan cut at a limit would never see the window's oldest
#: messages, and its watermark would never move.
PAGE_SIZE = 1000


def reconcile(sv: ReplyServices) -> dict[str, Any]:
    """One scan of Twilio's inbound messages to the bridge's number, in its window."""
    sv.periodic_claims.release(PeriodicClaims.INBOUND_RECONCILE)
    sms = sv.sending.sms
    if sms is None or sv.reply_number is None:
        return {"checked": 0, "recovered": 0}
    began = sv.clock.now()
    since = sv.inbound_window.start(began)
    counts = {"checked": 0, "recovered": 0, "erased": 0, "outside_window": 0,
              "answered_before_loss": 0}
    answered = AnsweredInScan(sv, since)
    try:  # page by page, as listed: a busy window is never held whole in memory
        for message in sms.client.messages.stream(to=sv.reply_number, date_sent_after=since,
                                                  page_size=PAGE_SIZE):
            if str(message.direction) == "inbound":
                counts["checked"] += 1
                outcome = _one(sv, message, since, answered)
                if outcome:
                    counts[outcome] += 1
    except (requests.RequestException, TwilioException) as exc:
        # The scan is periodic: the next one is its retry (the watermark stays, so it
        # reads this window again). Raising would only leave a transient Twilio error
        # in the failed registry, which is for permanent ones.
        log.warning("inbound_reconcile_postponed", error=type(exc).__name__)
        return {**counts, "postponed": type(exc).__name__}
    sv.inbound_window.complete(began)
    if counts["recovered"] or counts["answered_before_loss"]:
        log.warning("replies_recovered", count=counts["recovered"],
                    answered_before_loss=counts["answered_before_loss"])
    return counts


def _one(sv: ReplyServices, message: Any, since: datetime,
         answered: AnsweredInScan) -> str | None:
    """What became of one listed inbound message: a key of the scan's counts, or None
    when it was known already."""
    message_sid, sender = str(message.sid), str(message.from_)
    received = message.date_sent or message.date_created
    if received is None or received < since:
        return "outside_window"
    if sv.tombstones.holds(sid(message_sid), phone(sender)):
        return "erased"
    new = sv.inbound.record(message_sid, sender, str(message.to), str(message.body or ""),
                            received)
    known = None if new else sv.inbound.get(message_sid)
    stuck = known is not None and known.state == "received" and \
        known.received < sv.clock.now().timestamp() - STUCK_SECONDS and \
        not sv.job_pending(f"reply-{message_sid}")
    if new and Erasure(sv.tombstones.redis, sv.tombstones).sweep_if_erased(
            numbers=[sender], sids=[message_sid]):
        return "erased"  # erased between the check above and the record
    if new and answered.set_aside(message_sid, sender, received):
        return "answered_before_loss"  # after a loss: its answer went out before it
    if new or stuck:  # stuck: recorded, but its job was never queued (a crash between)
        sv.writer.enqueue(JOBS["handle_reply"], [message_sid], f"reply-{message_sid}")
        return "recovered"
    return None
