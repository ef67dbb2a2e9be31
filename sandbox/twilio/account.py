"""Who a sandbox account is: its SID, auth token, numbers and Messaging Services.

The first number is the account's default sender and the first Messaging Service holds
all its numbers. The account also checks the credentials of an API call, as Twilio
does: HTTP Basic with the account SID as user and the auth token as password.
"""

from __future__ import annotations

import base64
import hmac
import re
from dataclasses import dataclass

from sandbox.twilio import errors

ACCOUNT_SID = re.compile(r"AC[0-9a-f]{32}")


@dataclass(frozen=True)
class Account:
    """One account's identity; `ValueError` at construction if it could not be Twilio's."""

    sid: str
    auth_token: str
    numbers: tuple[str, ...]
    messaging_services: tuple[str, ...]

    def __post_init__(self) -> None:
        if not ACCOUNT_SID.fullmatch(self.sid):
            raise ValueError("account_sid must be 'AC' followed by 32 lower-case hex digits")
        if not self.auth_token:
            raise ValueError("auth_token must not be empty")
        if not self.numbers:
            raise ValueError("the sandbox needs at least one number to send from")

    @property
    def default_number(self) -> str:
        return self.numbers[0]

    @property
    def default_service(self) -> str | None:
        return self.messaging_services[0] if self.messaging_services else None

    def authenticate(self, authorization: str | None) -> None:
        """Check an HTTP Basic `Authorization` header; raise Twilio's 401 if it is wrong."""
        scheme, _, encoded = (authorization or "").partition(" ")
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except ValueError:  # binascii.Error and UnicodeDecodeError are ValueErrors
            raise errors.authenticate() from None
        user, _, password = decoded.partition(":")
        good_user = hmac.compare_digest(user.encode(), self.sid.encode())
        good_password = hmac.compare_digest(password.encode(), self.auth_token.encode())
        if scheme.lower() != "basic" or not (good_user and good_password):
            raise errors.authenticate()
