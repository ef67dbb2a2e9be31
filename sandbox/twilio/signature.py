"""X-Twilio-Signature, written from Twilio's webhook-security documentation.

Twilio signs every webhook it sends: take the full URL it requests (scheme, host, port
if any, path and query string, exactly as configured), append every POST parameter as
name followed by value, sorted by name, HMAC-SHA1 the result with the account's auth
token as key and base64 the digest. The receiver recomputes it over the URL it was called
on. This module deliberately shares no code with the bridge (or the `twilio` package),
so a contract test between them catches a mistake on either side.

Repeated parameters (e.g. several `MediaUrl`s) contribute every value, values sorted, as
Twilio's own validators do. The URL fragment (`#rc=2&rp=5xx`, Twilio's connection
overrides) is never sent to the receiver, so it is not signed either.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping

SIGNATURE_HEADER = "X-Twilio-Signature"

Params = Mapping[str, str] | Iterable[tuple[str, str]]


def _pairs(params: Params) -> list[tuple[str, str]]:
    if isinstance(params, Mapping):
        return [(str(k), str(v)) for k, v in params.items()]
    return [(str(k), str(v)) for k, v in params]


def signing_string(url: str, params: Params) -> str:
    """The string Twilio hashes: URL, then name+value of each parameter sorted by name."""
    values: dict[str, set[str]] = {}
    for name, value in _pairs(params):
        values.setdefault(name, set()).add(value)
    parts = [url.split("#", 1)[0]]
    for name in sorted(values):
        parts.extend(name + value for value in sorted(values[name]))
    return "".join(parts)


def compute_signature(auth_token: str, url: str, params: Params) -> str:
    """The value of the X-Twilio-Signature header for a POST of `params` to `url`."""
    digest = hmac.new(
        auth_token.encode("utf-8"), signing_string(url, params).encode("utf-8"), hashlib.sha1
    ).digest()
    return base64.b64encode(digest).decode("ascii")


def is_valid_signature(auth_token: str, url: str, params: Params, signature: str) -> bool:
    """Constant-time check of a received signature (for the sandbox's own tests and tools)."""
    expected = compute_signature(auth_token, url, params)
    return hmac.compare_digest(expected.encode("ascii"), signature.encode("ascii", "replace"))
