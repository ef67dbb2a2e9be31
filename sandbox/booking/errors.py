"""The sandbox's API-level failures and their `Code` scheme.

The real service publishes no error codes, so the sandbox uses its own `SIM-nnn` codes,
grouped by what a client has to do about them. Every failure becomes an HTTP 200 response
with `<Status>failed</Status>`, a `Code` and a `Message`; multi-field problems put a
summary on the first line of `Message` and one `Field: problem` line per problem after it.

    SIM-400  a parameter is missing or malformed (names the parameter)
    SIM-401  authentication failed (message mentions api_key, salt or signature)
    SIM-403  customer login refused (wrong username or password, disabled account)
    SIM-404  the referenced object does not exist
    SIM-405  unknown method
    SIM-409  refused by a business rule (slot not bookable, too late to cancel, ...)
    SIM-422  validation of a customer or appointment failed (multi-line message)
    SIM-500  unexpected internal error (details only in the sandbox's log)
"""

from __future__ import annotations

from collections.abc import Sequence

BAD_PARAMETER = "SIM-400"
AUTH_FAILED = "SIM-401"
LOGIN_FAILED = "SIM-403"
NOT_FOUND = "SIM-404"
UNKNOWN_METHOD = "SIM-405"
REFUSED = "SIM-409"
INVALID = "SIM-422"
INTERNAL = "SIM-500"


class ApiError(Exception):
    """A failure reported to the client inside `<Status>`."""

    def __init__(self, code: str, summary: str, details: Sequence[str] = ()) -> None:
        super().__init__(summary)
        self.code = code
        self.summary = summary
        self.details = tuple(details)

    @property
    def message(self) -> str:
        return "\n".join((self.summary, *self.details))


def auth_failed(message: str) -> ApiError:
    return ApiError(AUTH_FAILED, message)


def missing(name: str) -> ApiError:
    return ApiError(BAD_PARAMETER, f"Missing parameter: {name}", [f"{name}: required"])


def invalid(name: str, problem: str) -> ApiError:
    return ApiError(BAD_PARAMETER, f"Invalid parameter: {name}", [f"{name}: {problem}"])


def not_found(kind: str, object_id: int | str) -> ApiError:
    return ApiError(NOT_FOUND, f"{kind} {object_id} not found")


def refused(message: str) -> ApiError:
    return ApiError(REFUSED, message)


def validation_failed(summary: str, problems: Sequence[str]) -> ApiError:
    return ApiError(INVALID, summary, problems)


class DataError(ValueError):
    """Seed data (`--data FILE` or `data=`) is unusable; raised at start-up, never to clients."""
