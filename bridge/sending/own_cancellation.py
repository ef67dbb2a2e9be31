"""An unseen cancellation its customer asked for by SMS: the reply tells them, not a notice.

After Redis forgot, a cancellation made shortly before the loss is announced as unseen
(`bridge.domain.plan.unseen_cancellation`). But a customer's NEE cancels upstream
before its answer goes out, and the mark that keeps the cancelled notice from saying it
twice (`PlanStore.mark_answered`, `bridge.replies.upstream`) was in the lost memory. The
reply itself is not lost: answered before the loss, its answer (`reply_cancelled`)
stands for the notice (`texts_it_had`); not yet answered, the inbound scan finds it
again and answers it. Seen in the suite's short soak: a NEE cancelled 32 s before an
amnesia, the answer not yet sent; after it the customer got the notice and the answer.

So an unseen cancellation whose customer texted a cancel word (NEE and its kin, or a
number choosing from "which appointment?") in the `ANSWER_BOUND` before the
cancellation (its `UpdateTime`) is skipped on every channel (`CANCELLED_BY_REPLY`).
The cost: the practice cancelling another appointment of the same number within those
minutes after such a reply, just before a loss, goes untold.
"""

from __future__ import annotations

from bridge.domain.intents import Intent, understand
from bridge.domain.messages import UNSEEN_CANCELLATION, PlannedMessage
from bridge.domain.snapshot import Snapshot
from bridge.sending.recovery import ANSWER_BOUND, CLOCK_SLACK
from bridge.sending.services import SendingServices

__all__ = ["CANCELLED_BY_REPLY", "cancelled_by_reply"]

#: The skip reason of an unseen cancellation its customer asked for by SMS.
CANCELLED_BY_REPLY = "cancelled by the customer's reply"

_ASKS_TO_CANCEL = frozenset({Intent.CANCEL, Intent.CHOICE})


def cancelled_by_reply(sv: SendingServices, message: PlannedMessage, state: Snapshot,
                       mobile: str | None) -> bool:
    """Whether `message` is an unseen cancellation its customer (`mobile`) asked for by
    SMS (module). Asks Twilio's log, the batch's shared read when it covers the span;
    raises `SendHeldBack` when the log cannot be read."""
    if message.variant != UNSEEN_CANCELLATION or not mobile or sv.sms is None \
            or state.updated is None:
        return False
    after = state.updated - ANSWER_BOUND
    texts = sv.recovery.texts_between(mobile, after, state.updated + CLOCK_SLACK)
    return any(understand(body).intent in _ASKS_TO_CANCEL for _at, body in texts)
