"""Request signing as the real service checks it (protocol notes §2).

The server recomputes the SHA-1 signature over every parameter it received except the
reserved ones, so it must see exactly what the client signed; that is why the check works
on the raw parameter mapping rather than on parsed values.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

from sandbox.booking import errors
from sandbox.booking.params import Params

SALT_WINDOW_SECONDS = 300

RESERVED = frozenset(
    {"api_key", "api_salt", "api_signature", "api_format", "api_lang", "api_jsonp_callback"}
)


def signature(params: Mapping[str, str], secret: str, salt: str) -> str:
    """The lower-case hex SHA-1 a client must send as `api_signature`."""
    signed = sorted(
        ((key, value) for key, value in params.items() if key.lower() not in RESERVED),
        key=lambda item: item[0].encode("utf-8"),
    )
    text = "".join(key + value for key, value in signed) + secret + salt
    return hashlib.sha1(text.replace(" ", "").encode("utf-8")).hexdigest()


def authenticate(params: Params, api_key: str, api_secret: str, now_epoch: int) -> str:
    """Check key, salt and signature; return the requested method name."""
    key = params.get("api_key")
    if not key:
        raise errors.auth_failed("Missing parameter: api_key")
    if not hmac.compare_digest(key.encode("utf-8"), api_key.encode("utf-8")):
        raise errors.auth_failed("Unknown api_key")
    salt = params.get("api_salt")
    if not salt:
        raise errors.auth_failed("Missing parameter: api_salt")
    sent_signature = params.get("api_signature")
    if not sent_signature:
        raise errors.auth_failed("Missing parameter: api_signature")
    method = params.get("method")
    if not method:
        raise errors.missing("method")
    _check_salt(salt, now_epoch)
    expected = signature(params.raw, api_secret, salt)
    if not hmac.compare_digest(expected.encode(), sent_signature.lower().encode("utf-8")):
        raise errors.auth_failed("Invalid signature")
    return method


def _check_salt(salt: str, now_epoch: int) -> None:
    if not salt.isascii() or not salt.isdigit():
        raise errors.auth_failed("Invalid api_salt: not an integer Unix timestamp in seconds")
    value = int(salt)
    if value > now_epoch:
        raise errors.auth_failed(
            f"Invalid api_salt: {value} is in the future (server time is {now_epoch})"
        )
    if value < now_epoch - SALT_WINDOW_SECONDS:
        raise errors.auth_failed(
            f"Expired api_salt: {value} is more than {SALT_WINDOW_SECONDS} seconds old "
            f"(server time is {now_epoch})"
        )
