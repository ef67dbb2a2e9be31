"""A send the bridge holds back waits in the plan, not in RQ's retries.

`SendHeldBack` (`bridge.outbound.errors`) means nothing went to the provider because
the bridge's own memory could not vouch for it yet: no replica acknowledged the claim,
the epoch is undecided, Twilio's log could not be read after a loss. Such a hold lasts
as long as its cause (a promoted primary has no replica until the old one is rebuilt),
which can be longer than a job's retries (`bridge.queueing.jobs`, about 15 minutes);
a job that used them up would end in RQ's failed registry, and the message, already
taken off the schedule at dispatch, would never be sent. So a held message is put back
on the schedule (`PlanStore.plan_again`) and its job completes: the ticker dispatches
it again when it is due, for as long as the hold lasts, and a message sent meanwhile
by another attempt is found done by its claim.

The pause grows with how late the message already is: half its lateness, at least
`FIRST_PAUSE` (30 s: a lagging replica or a Sentinel failover, a few seconds, has
passed by then) and at most `LONGEST_PAUSE` (5 minutes: once the hold clears a message
goes out at most that late, while a long hold costs each held message one dispatch,
one booking-API read and one `WAIT` every 5 minutes). No counter is kept: the
lateness is in the plan record itself (`send_at`), so holding twice is harmless. A hold
that knows when its cause clears (`SendHeldBack.until`: another attempt's claim whose
worker died is judged at a known second) waits until then instead.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import structlog

from bridge.domain.channels import Channel
from bridge.outbound.errors import SendHeldBack
from bridge.sending.services import SendingServices

__all__ = ["FIRST_PAUSE", "LONGEST_PAUSE", "hold_back", "pause_for"]

log = structlog.get_logger(__name__)

FIRST_PAUSE = timedelta(seconds=30)
LONGEST_PAUSE = timedelta(minutes=5)

#: A channel's record in these states has not gone out yet: its timeline gets the hold.
_OPEN = frozenset({"planned", "claimed"})


def pause_for(send_at: datetime, now: datetime) -> timedelta:
    """How long a message due at `send_at` and held back at `now` waits."""
    late = max(now - send_at, timedelta(0))
    return min(max(late / 2, FIRST_PAUSE), LONGEST_PAUSE)


def hold_back(sv: SendingServices, message_key: str, held: SendHeldBack) -> datetime | None:
    """Put a held-back message back on the schedule; returns when it is due again, or
    None when it is no longer planned (nothing left to send)."""
    now = sv.clock.now()
    message = sv.plans.planned(message_key)
    if message is None:
        log.info("send_held_back_unplanned", message=message_key)
        return None
    due = now + pause_for(message.send_at, now) if held.until is None else \
        max(held.until, now + timedelta(seconds=1))
    if not sv.plans.plan_again(message_key, due):
        log.info("send_held_back_unplanned", message=message_key)
        return None
    seconds = int((due - now).total_seconds())
    for channel in Channel:
        message_id = f"{message_key}:{channel.value}"
        record = sv.messages.get(message_id)
        if record is not None and record.status in _OPEN:
            sv.messages.advance(message_id, "retrying", now,
                                detail=f"held back ({held.reason}); planned again in "
                                       f"{seconds} s")
    log.info("send_held_back", message=message_key, reason=held.reason, seconds=seconds)
    return due
