"""What can go wrong handing a message to a provider, split by what to do next.

    SendError              the provider did not take the message
    ├── TransientSendError try again later (429, 5xx, timeouts, a full queue)
    │   └── SendHeldBack   the bridge holds the send back itself until a condition
    │                      clears (no replica acknowledged its claim, the epoch is not
    │                      decided, Twilio's log cannot be read): not the provider's
    │                      failure, so it must not use up the job's retries
    └── PermanentSendError never retry (invalid number, refused)
        └── OptedOutError  never retry; the recipient opted out at the provider (STOP):
                           record that, and reach them another way if allowed

`code` is the provider's error code when it gave one (Twilio's numeric codes, the
SMTP reply code), kept in the message log.
"""

from __future__ import annotations

from datetime import datetime

__all__ = [
    "OptedOutError", "PermanentSendError", "SendError", "SendHeldBack", "TransientSendError",
]


class SendError(Exception):
    retryable = False

    def __init__(self, reason: str, code: int | None = None) -> None:
        super().__init__(reason if code is None else f"{reason} (code {code})")
        self.reason = reason
        self.code = code


class TransientSendError(SendError):
    retryable = True


class SendHeldBack(TransientSendError):
    """Nothing was handed to the provider because the bridge's own memory could not yet
    vouch for it (a claim no replica acknowledged, an undecided epoch, a lookup in
    Twilio's log that failed). Such a hold can outlast any retry budget (a failover whose
    new primary has no replica yet), so the message waits in the plan, not in RQ.
    `until`, when the cause says when it clears (another attempt's claim whose worker
    died, stale at a known time), is when to try again."""

    def __init__(self, reason: str, code: int | None = None,
                 until: datetime | None = None) -> None:
        super().__init__(reason, code)
        self.until = until


class PermanentSendError(SendError):
    pass


class OptedOutError(PermanentSendError):
    """`recipient` opted out at the provider (Twilio 21610), e.g. by a STOP the bridge
    has not heard of: nothing to it will be accepted until they opt in again."""

    def __init__(self, reason: str, code: int | None, recipient: str) -> None:
        super().__init__(reason, code)
        self.recipient = recipient
