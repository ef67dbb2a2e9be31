"""What can go wrong when talking to the booking API, split by what the caller must do.

    BookingError                  anything from this client
    ├── BookingTransportError     no usable answer (timeout, connection, HTTP 5xx/429);
    │   │                         retryable: the client already retried with backoff
    │   └── BookingCallAborted    abandoned because the worker is stopping; not retried
    │                             here, the job is (it ran nothing it cannot run again)
    ├── BookingProtocolError      an answer we cannot read (bad XML, DTD, odd HTTP status,
    │                             a missing or malformed field); not retried
    └── BookingApiError           the API answered `failed` (Code, Message, field errors);
        │                         never retried: the same call fails the same way
        ├── BookingAuthError      key, salt or signature refused: a configuration problem
        └── BookingNotFoundError  the object does not exist (e.g. a removed appointment)

The API publishes no list of error codes (upstream-api.md §3.3), so the two subclasses
of `BookingApiError` are recognised by words in the message. That is an assumption,
written down in docs/booking-client.md; callers that must be certain catch
`BookingApiError`.
"""

from __future__ import annotations

import re

__all__ = [
    "BookingApiError",
    "BookingAuthError",
    "BookingCallAborted",
    "BookingError",
    "BookingNotFoundError",
    "BookingProtocolError",
    "BookingTransportError",
    "api_error_from",
]


class BookingError(Exception):
    """Base of every error raised by the booking client."""

    retryable: bool = False


class BookingTransportError(BookingError):
    """The API could not be reached or answered with a server error."""

    retryable = True


class BookingCallAborted(BookingTransportError):
    """The call was abandoned on purpose: the process is stopping (`Transport.abort`)."""


class BookingProtocolError(BookingError):
    """The API's answer could not be understood."""


class BookingApiError(BookingError):
    """The API processed the call and reported `failed`."""

    def __init__(self, method: str, code: str | None, message: str) -> None:
        self.method = method
        self.code = code
        self.message = message
        lines = [line.strip() for line in message.splitlines() if line.strip()]
        #: The first line of a multi-line message is a summary (§3.3).
        self.summary = lines[0] if lines else ""
        #: Each further line names one problem, usually one field.
        self.field_errors: tuple[str, ...] = tuple(lines[1:])
        detail = f" [{code}]" if code else ""
        super().__init__(f"{method} failed{detail}: {message}")


class BookingAuthError(BookingApiError):
    """The API key, salt or signature was refused."""


class BookingNotFoundError(BookingApiError):
    """The requested object does not exist (any more)."""


_AUTH_WORDS = re.compile(r"api[_ ]?key|salt|signature|authenticat", re.IGNORECASE)
_NOT_FOUND_WORDS = re.compile(
    r"not found|does not exist|unknown (appointment|customer|agenda|resource)|niet gevonden"
    r"|bestaat niet",
    re.IGNORECASE,
)


def api_error_from(method: str, code: str | None, message: str) -> BookingApiError:
    """The most specific `BookingApiError` for a `failed` Status."""
    if _AUTH_WORDS.search(message):
        return BookingAuthError(method, code, message)
    if _NOT_FOUND_WORDS.search(message):
        return BookingNotFoundError(method, code, message)
    return BookingApiError(method, code, message)
