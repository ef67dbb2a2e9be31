"""Who may see the operator page: one shared token, a signed session cookie, CSRF tokens.

The token (`OABRIDGE_ADMIN_TOKEN`) is typed once into the login form. The browser
keeps only a session cookie `<issued>.<HMAC(key, issued)>`: never the token itself,
so a leaked cookie does not leak the token, and it stops working after
`SESSION_SECONDS` or as soon as the token is changed. The HMAC key is derived from
the token with scrypt, once per process, so that a stolen cookie is slow to guess a
short token from. Nothing is kept server-side: a restart or a second ingress replica
accepts the same cookies.

Each form that changes something carries a CSRF token, an HMAC of the session cookie
under the same key: a page from another site can neither read the cookie nor compute
the token. (The cookie is also SameSite=Strict; the CSRF token is the second fence.)
Every comparison of a secret uses `hmac.compare_digest`.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from bridge.settings import Settings

__all__ = [
    "COOKIE",
    "SESSION_SECONDS",
    "csrf_matches",
    "csrf_token",
    "enabled",
    "new_session",
    "session_valid",
    "token_matches",
]

COOKIE = "oabridge_admin"
#: How long a login lasts; an operator logs in again after a working day.
SESSION_SECONDS = 12 * 3600
#: A cookie issued by another replica whose clock runs a little ahead is still good.
CLOCK_SKEW_SECONDS = 60


def enabled(settings: Settings) -> bool:
    """The page exists only when a token is configured (otherwise every route is a 404)."""
    return bool(settings.admin_token.get_secret_value())


@lru_cache(maxsize=4)
def _key(token: str) -> bytes:
    # scrypt costs ~50 ms once per process and token, and the same for every guess
    # an attacker holding a cookie makes offline.
    return hashlib.scrypt(token.encode(), salt=b"oabridge-admin-session", n=2**14, r=8, p=1)


def _mac(settings: Settings, purpose: str, message: str) -> str:
    key = _key(settings.admin_token.get_secret_value())
    return hmac.new(key, f"{purpose}\n{message}".encode(), hashlib.sha256).hexdigest()


def token_matches(settings: Settings, offered: str) -> bool:
    """The login form's token is the configured one (compared as digests: no length leak)."""
    expected = settings.admin_token.get_secret_value()
    if not expected:
        return False
    return hmac.compare_digest(hashlib.sha256(offered.encode()).digest(),
                               hashlib.sha256(expected.encode()).digest())


def new_session(settings: Settings, now: int) -> str:
    """A session cookie value issued at `now` (epoch seconds)."""
    return f"{now}.{_mac(settings, 'session', str(now))}"


def session_valid(settings: Settings, value: str | None, now: int) -> bool:
    """`value` was issued by `new_session` under the current token and has not expired."""
    if not value or not enabled(settings):
        return False
    issued, _, mac = value.partition(".")
    if not issued.isdigit() or not -CLOCK_SKEW_SECONDS <= now - int(issued) <= SESSION_SECONDS:
        return False
    return hmac.compare_digest(mac.encode(), _mac(settings, "session", issued).encode())


def csrf_token(settings: Settings, session: str) -> str:
    """The token a form must send back for a change made in this session."""
    return _mac(settings, "csrf", session)


def csrf_matches(expected: str, offered: str) -> bool:
    """A form's CSRF token is the session's (`expected`, from `csrf_token`)."""
    return hmac.compare_digest(offered.encode(), expected.encode())
