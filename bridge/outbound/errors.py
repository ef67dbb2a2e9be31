"""What can go wrong handing a message to a provider, split by what to do next.

    SendError              the provider did not take the message
    ├── TransientSendError try again later (429, 5xx, timeouts, a full queue)
    └── PermanentSendError never retry (invalid number, unsubscribed, refused)

`code` is the provider's error code when it gave one (Twilio's numeric codes, the
SMTP reply code), kept in the message log.
"""

from __future__ import annotations

__all__ = ["PermanentSendError", "SendError", "TransientSendError"]


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
