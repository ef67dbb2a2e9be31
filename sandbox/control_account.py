"""Which account a `/_sandbox/...` control request means: `?account=N` or `?api_key=KEY`.

Without either it is account 1, so the controls of a one-account sandbox work as they
always did. A number or key no account has is a 404, never silently account 1: a test
reading the wrong practice's outbox would pass or fail for the wrong reason.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from sandbox.booking import BookingAccounts, BookingSandbox
from sandbox.control_json import error_response


def chosen_account(request: Request, accounts: BookingAccounts) -> BookingSandbox | Response:
    """The account the query names, or the error response to answer instead."""
    number_text = request.query_params.get("account")
    api_key = request.query_params.get("api_key")
    by_number = by_key = None
    if number_text is not None:
        if not number_text.isascii() or not number_text.isdigit():
            return error_response(400, f"account must be a number from 1, not {number_text!r}")
        by_number = accounts.by_number(int(number_text))
        if by_number is None:
            return error_response(404, f"there is no account {number_text} (1 to {len(accounts)})")
    if api_key is not None:
        by_key = accounts.by_key(api_key)
        if by_key is None:
            return error_response(404, "no account has that api_key")
    if by_number is not None and by_key is not None and by_number is not by_key:
        return error_response(400, f"account {number_text} does not have that api_key")
    return by_number or by_key or accounts.first
