"""Twilio's REST error answers: one exception type and the catalogue of the ones we give.

Twilio answers every API error with the same JSON body, `{"code", "message", "more_info",
"status"}`, and the `twilio` package turns it into `TwilioRestException(code=...)`. Keeping
the codes and wording in one table makes the sandbox's answers easy to compare with
Twilio's error dictionary (https://www.twilio.com/docs/errors).
"""

from __future__ import annotations

from collections.abc import Mapping

MORE_INFO = "https://www.twilio.com/docs/errors/{code}"


class TwilioApiError(Exception):
    """An API call refused the way Twilio refuses it: HTTP status, error code, message."""

    def __init__(
        self, status: int, code: int, message: str, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})

    def body(self) -> dict[str, object]:
        """Twilio's error body, key for key."""
        return {
            "code": self.code,
            "message": self.message,
            "more_info": MORE_INFO.format(code=self.code),
            "status": self.status,
        }


# Generic HTTP-level errors (2xxxx).


def authenticate() -> TwilioApiError:
    return TwilioApiError(
        401, 20003, "Authenticate", {"WWW-Authenticate": 'Basic realm="Twilio API"'}
    )


def not_found(path: str) -> TwilioApiError:
    return TwilioApiError(404, 20404, f"The requested resource {path} was not found")


def bad_parameter(name: str, value: str) -> TwilioApiError:
    return TwilioApiError(400, 20001, f"Invalid {name}: {value}")


def cannot_delete_yet() -> TwilioApiError:
    """DELETE of a message not in a final state yet (error 20009; the HTTP status is the
    one Twilio-compatible servers give for it, 422)."""
    return TwilioApiError(422, 20009, "Cannot delete this resource before it is complete")


# Injected faults: Twilio's own codes for throttling and server trouble.

FAULT_DEFAULTS: dict[int, tuple[int, str]] = {
    429: (20429, "Too Many Requests"),
    500: (20500, "Internal Server Error"),
    502: (20500, "Bad Gateway"),
    503: (20503, "Service Unavailable"),
    504: (20500, "Gateway Timeout"),
}


def fault(status: int, code: int | None = None, message: str | None = None) -> TwilioApiError:
    """The error for an injected fault; code and message default by status."""
    default_code, default_message = FAULT_DEFAULTS.get(status, (20000 + status, "Sandbox fault"))
    return TwilioApiError(status, code or default_code, message or default_message)


# Message creation (21xxx).


def to_required() -> TwilioApiError:
    return TwilioApiError(400, 21604, "A 'To' phone number is required.")


def body_required() -> TwilioApiError:
    return TwilioApiError(400, 21602, "Message body is required.")


def from_required() -> TwilioApiError:
    return TwilioApiError(
        400, 21603, "A 'From' or 'MessagingServiceSid' parameter is required to send a message."
    )


def body_too_long() -> TwilioApiError:
    return TwilioApiError(
        400, 21617, "The concatenated message body exceeds the 1600 character limit."
    )


def invalid_to(to: str) -> TwilioApiError:
    return TwilioApiError(400, 21211, f"The 'To' number {to} is not a valid phone number.")


def invalid_from(sender: str) -> TwilioApiError:
    return TwilioApiError(
        400,
        21212,
        f"The 'From' number {sender} is not a valid phone number, shortcode, "
        "or alphanumeric sender ID.",
    )


def from_not_owned(sender: str) -> TwilioApiError:
    return TwilioApiError(
        400,
        21606,
        f"The 'From' phone number provided ({sender}) is not a valid message-capable "
        "Twilio phone number for this destination/account.",
    )


def queue_full(sender: str) -> TwilioApiError:
    return TwilioApiError(
        400,
        21611,
        f"This 'From' number ({sender}) has exceeded the maximum number of queued messages.",
    )


def unroutable(to: str, sender: str) -> TwilioApiError:
    return TwilioApiError(
        400,
        21612,
        f"The 'To' phone number: {to}, is not currently reachable using the 'From' phone "
        f"number: {sender} via SMS.",
    )


def no_geo_permission(to: str) -> TwilioApiError:
    return TwilioApiError(
        400,
        21408,
        "Permission to send an SMS has not been enabled for the region indicated by the "
        f"'To' number: {to}.",
    )


def unsubscribed(to: str) -> TwilioApiError:
    return TwilioApiError(400, 21610, f"Attempt to send to unsubscribed recipient {to}.")


def not_sms_capable(to: str) -> TwilioApiError:
    return TwilioApiError(400, 21614, f"'To' number {to} is not a valid mobile number.")


def invalid_status_callback(url: str) -> TwilioApiError:
    return TwilioApiError(400, 21609, f"Invalid StatusCallback URL: {url}")


def invalid_service(sid: str) -> TwilioApiError:
    return TwilioApiError(400, 21705, f"The Messaging Service Sid {sid} is invalid.")


def unknown_service(sid: str) -> TwilioApiError:
    return TwilioApiError(400, 21701, f"The Messaging Service Sid {sid} does not exist.")
