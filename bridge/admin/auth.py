"""Who may see the operator page: one shared token, server-side sessions, CSRF tokens.

The token (`OABRIDGE_ADMIN_TOKEN`) is typed once into the login form. The browser
keeps only a session cookie holding a random id, never the token. The session itself
is a record in Redis (`bridge.store.admin_sessions`), so every ingress replica and a
restart see the same sessions, and logging out deletes it: the cookie is worthless at
once, not after `SESSION_SECONDS`. A session is valid while its record exists, it is
at most `SESSION_SECONDS` old on the app's clock, and it is bound to the current token:
the record holds an HMAC of the id under a key derived from the token, so changing the
token ends every session. The key is derived with scrypt once per process, so that a
copy of Redis is slow to guess a short token from.

Each form that changes something carries a CSRF token, an HMAC of the session id under
the same key: a page from another site can neither read the cookie nor compute the
token. (The cookie is also SameSite=Strict; the CSRF token is the second fence.)
Every comparison of a secret uses `hmac.compare_digest`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from functools import lru_cache

from bridge.settings import Settings
from bridge.store.admin_sessions import AdminSessions

__all__ = [
    "COOKIE",
    "SESSION_SECONDS",
    "csrf_matches",
    "csrf_token",
    "enabled",
    "end_session",
    "session_valid",
    "start_session",
    "token_matches",
]

COOKIE = "oabridge_admin"
#: How long a login lasts; an operator logs in again after a working day.
SESSION_SECONDS = 12 * 3600
#: A session started by another replica whose clock runs a little ahead is still good.
CLOCK_SKEW_SECONDS = 60


def enabled(settings: Settings) -> bool:
    """The page exists only when a token is configured (otherwise every route is a 404)."""
    return bool(settings.admin_token.get_secret_value())


@lru_cache(maxsize=4)
def _key(token: str) -> bytes:
    # scrypt costs ~50 ms once per process and token, and the same for every guess
    # an attacker holding a copy of Redis makes offline.
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


async def start_session(sessions: AdminSessions, settings: Settings, now: int) -> str:
    """A new session started at `now` (epoch seconds); the cookie's value."""
    session_id = secrets.token_urlsafe(32)
    record: dict[str, str | int] = {"issued": now,
                                    "bound": _mac(settings, "session", session_id)}
    await sessions.create(session_id, record, SESSION_SECONDS + CLOCK_SKEW_SECONDS)
    return session_id


async def session_valid(sessions: AdminSessions, settings: Settings, value: str | None,
                        now: int) -> bool:
    """`value` is a session that was started under the current token, has not ended
    and has not expired at `now`."""
    if not value or not enabled(settings):
        return False
    record = await sessions.get(value)
    if record is None:
        return False
    issued = record.get("issued")
    if not isinstance(issued, int) or not -CLOCK_SKEW_SECONDS <= now - issued <= SESSION_SECONDS:
        return False
    bound = str(record.get("bound", ""))
    return hmac.compare_digest(bound.encode(), _mac(settings, "session", value).encode())


async def end_session(sessions: AdminSessions, value: str | None) -> None:
    """Log out: the session's record goes, so its cookie opens nothing any more."""
    if value:
        await sessions.end(value)


def csrf_token(settings: Settings, session: str) -> str:
    """The token a form must send back for a change made in this session."""
    return _mac(settings, "csrf", session)


def csrf_matches(expected: str, offered: str) -> bool:
    """A form's CSRF token is the session's (`expected`, from `csrf_token`)."""
    return hmac.compare_digest(offered.encode(), expected.encode())
