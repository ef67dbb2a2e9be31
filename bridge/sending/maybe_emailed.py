"""After a loss: an SMS that may be the second copy of a message e-mailed before it.

Under `sms_or_email` a message goes one way: by SMS, or by e-mail when the customer
cannot be reached by SMS (an opt-out). The loss took the claims and the opt-outs with
them; Twilio's log shows an SMS that went (`bridge.sending.recovery`), but nobody can
ask an SMTP server whether the e-mail went. Seen in the full soak: a customer sent
STOP, a cancellation was e-mailed, the customer sent START, Redis forgot; the
cancellation's SMS, planned again, was not in Twilio's log and went: a second copy.

So the SMS of a message whose time came before the loss, not found in Twilio's log,
to a customer with an e-mail address, is skipped as `MEMORY_LOST` (as its e-mail would
be) when the number was opted out at some moment from the message's earliest time to
the loss: Twilio lists what the number texted (`Recovery.opted_out_between`). The
price is the e-mail rule's: a message due while the number was opted out whose e-mail
had not gone out before the loss is not sent.
"""

from __future__ import annotations

from datetime import datetime

from bridge.domain.channels import ChannelPolicy, Reachability
from bridge.sending.services import SendingServices
from bridge.store.epoch import Epoch

__all__ = ["may_have_gone_by_email"]


def may_have_gone_by_email(sv: SendingServices, policy: ChannelPolicy, reach: Reachability,
                           mobile: str, epoch: Epoch, since: datetime) -> bool:
    """Whether a message's SMS, not in Twilio's log since `since` (its earliest time),
    may have gone by e-mail before the loss (module); raises `SendHeldBack` when
    Twilio's log cannot be read."""
    if policy is not ChannelPolicy.SMS_OR_EMAIL or reach.email_problem is not None \
            or epoch.lost_at is None:
        return False
    return sv.recovery.opted_out_between(mobile, since, epoch.lost_at)
