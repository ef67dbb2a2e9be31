"""After a loss: the e-mail of a move notice that may repeat one sent before it.

A move notice is keyed by its new start (one notice per start: `bridge.domain.plan`).
A move after the loss back to a start the appointment had before it makes a key that
went out before the loss, which the loss made the bridge forget
(`Recovery.may_repeat`). Its SMS asks Twilio's log, as every SMS that may have gone out
before does (`bridge.sending.asked_first`). Its e-mail cannot be asked about, but an
e-mail sent beside an SMS goes as that SMS went: the SMS found in Twilio's log means the
notice went out before the loss, e-mail and all, so the e-mail is skipped
(`MEMORY_LOST`); the SMS not found means the notice is news, and the e-mail goes too.
So the e-mail waits for its SMS to settle. An e-mail with no SMS beside it (no mobile,
opted out) has nothing to go by, and its time came after the loss: it goes (the issue's
rule), and may be a second copy; the soak's oracle counts those apart.
"""

from __future__ import annotations

from bridge.domain.channels import Channel
from bridge.domain.messages import PlannedMessage
from bridge.outbound.errors import SendHeldBack
from bridge.sending.asked_first import FOUND_AFTER_LOSS
from bridge.sending.services import SendingServices
from bridge.store.claims import ClaimState

__all__ = ["sms_found_before_loss"]


def sms_found_before_loss(sv: SendingServices, message: PlannedMessage) -> bool:
    """Whether the SMS beside the e-mail of `message`, a notice that may repeat one sent
    before the loss, was found in Twilio's log (then the e-mail is skipped as
    `MEMORY_LOST`). Raises `SendHeldBack` while the SMS is unsettled."""
    sms_id = f"{message.key}:{Channel.SMS.value}"
    claim = sv.claims.peek(sms_id, sv.clock.now())
    if claim is None or claim.state is not ClaimState.DONE:
        raise SendHeldBack("a notice's e-mail waits for its SMS: found in Twilio's log, "
                           "the notice went out before Redis lost its memory")
    record = sv.messages.get(sms_id)
    return record is not None and any(event.get("detail") == FOUND_AFTER_LOSS
                                      for event in record.timeline)
