"""Request signing for the OnlineAfspraken REST API (upstream-api.md §2.1).

The signature is a lower-case hex SHA-1 over every parameter except the reserved
ones, sorted byte-wise by key and written as key+value, followed by the secret and
the salt, with every space removed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

__all__ = ["UNSIGNED_KEYS", "sign"]

#: Parameters that are sent but never part of the signed string.
UNSIGNED_KEYS = frozenset(
    {"api_key", "api_salt", "api_signature", "api_format", "api_lang", "api_jsonp_callback"}
)


def signing_string(params: Mapping[str, str], secret: str, salt: int) -> str:
    """The exact string that is hashed; exposed for debugging a signature mismatch."""
    # Byte-wise ordering (PHP ksort): sort on the UTF-8 bytes of the key.
    pairs = sorted(
        ((key, value) for key, value in params.items() if key not in UNSIGNED_KEYS),
        key=lambda pair: pair[0].encode("utf-8"),
    )
    body = "".join(key + value for key, value in pairs)
    return (body + secret + str(salt)).replace(" ", "")


def sign(params: Mapping[str, str], secret: str, salt: int) -> str:
    """The `api_signature` for `params` (which must include `method`)."""
    return hashlib.sha1(signing_string(params, secret, salt).encode("utf-8")).hexdigest()
