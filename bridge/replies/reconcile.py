"""Finding replies Twilio received that the bridge never heard of (ingress or Redis
down), and replies recorded whose job was lost: each is queued for handling once."""

from __future__ import annotations

from typing import Any

import requests
import structlog
from twilio.base.exceptions import TwilioException

from bridge.queueing.jobs import JOBS
from bridge.replies.services import ReplyServices
from bridge.store.periodic_claims import PeriodicClaims

__all__ = ["STUCK_SECONDS", "reconcile"]

log = structlog.get_logger(__name__)

#: A recorded reply still unhandled after this long had its job lost; queue it again.
STUCK_SECONDS = 300
#: How many of the newest messages to the bridge's number each scan looks at.
SCAN_LIMIT = 200


def reconcile(sv: ReplyServices) -> dict[str, Any]:
    """One scan of Twilio's inbound messages to the bridge's number."""
    sv.periodic_claims.release(PeriodicClaims.INBOUND_RECONCILE)
    sms = sv.sending.sms
    if sms is None or sv.reply_number is None:
        return {"checked": 0, "recovered": 0}
    recovered = 0
    checked = 0
    try:
        listed = sms.client.messages.list(to=sv.reply_number, limit=SCAN_LIMIT)
    except (requests.RequestException, TwilioException) as exc:
        # The scan is periodic: the next one is its retry. Raising would only leave a
        # transient Twilio error in the failed registry, which is for permanent ones.
        log.warning("inbound_reconcile_postponed", error=type(exc).__name__)
        return {"checked": 0, "recovered": 0, "postponed": type(exc).__name__}
    for message in listed:
        if str(message.direction) != "inbound":
            continue
        checked += 1
        sid = str(message.sid)
        received = message.date_created or sv.clock.now()
        new = sv.inbound.record(sid, str(message.from_), str(message.to),
                                str(message.body or ""), received)
        known = None if new else sv.inbound.get(sid)
        stuck = known is not None and known.state == "received" and \
            known.received < sv.clock.now().timestamp() - STUCK_SECONDS and \
            not sv.job_pending(f"reply-{sid}")
        if new or stuck:  # stuck: recorded, but its job was never queued (a crash between)
            sv.writer.enqueue(JOBS["handle_reply"], [sid], f"reply-{sid}")
            recovered += 1
    if recovered:
        log.warning("replies_recovered", count=recovered)
    return {"checked": checked, "recovered": recovered}
