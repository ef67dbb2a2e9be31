"""What can go wrong handing a message to a provider, split by what to do next.

    SendError              the provider did not take the message
    ├── TransientSendError try again later (429, 5xx, timeouts, a full queue)
    └── PermanentSendError never retry (invalid number, refused)
        └── OptedOutError  never retry; the recipient opted out at the provider (STOP):
                           record that, and reach them another way if allowed

`code` is the provider's error code when it gave one (Twilio's numeric codes, the
SMTP reply code), kept in the message log.
"""

from __future__ import annotations

__all__ = ["OptedOutError", "PermanentSendError", "SendError", "TransientSendError"]


class SendError(Exception):
    retryable = False

    def __init__(self, reason: str, code: int | None = None) -> None:
        super().__init__(reason if code is None else f"{reason} (code {code})")
        self.reason = reason
        self.code = code


class TransientSendError(SendError):
    retryable = True


class PermanentSendError(SendError):
    pass


class OptedOutError(PermanentSendError):
    """`recipient` opted out at the provider (Twilio 21610), e.g. by a STOP the bridge
    has not heard of: nothing to it will be accepted until they opt in again."""

    def __init__(self, reason: str, code: int | None, recipient: str) -> None:
        super().__init__(reason, code)
        self.recipient = recipient
