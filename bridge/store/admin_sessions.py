"""`AdminSessions`: the operator page's sessions, kept in Redis so that logout ends one.

A session is a record under the SHA-256 of a random id; the browser's cookie holds the
id. Logging out deletes the record, so the cookie is worthless at once, on every
ingress replica (they share Redis). What the record holds and what makes it valid (its
age on the app's clock, its binding to the admin token) is `bridge.admin.auth`'s
business; Redis's own expiry only clears records nobody logged out of.
"""

from __future__ import annotations

import hashlib
import json

from redis.asyncio import Redis as AsyncRedis

from bridge.store import keys
from bridge.store.text import as_text

__all__ = ["AdminSessions"]


def _key(session_id: str) -> str:
    return keys.admin_session(hashlib.sha256(session_id.encode()).hexdigest())


class AdminSessions:
    """Session records over the ingress's asyncio connection pool."""

    def __init__(self, redis: AsyncRedis) -> None:
        self.redis = redis

    async def create(self, session_id: str, record: dict[str, str | int],
                     ttl_seconds: int) -> None:
        await self.redis.set(_key(session_id), json.dumps(record), ex=ttl_seconds)

    async def get(self, session_id: str) -> dict[str, str | int] | None:
        """The record, or None when there is none (never made, logged out, expired)."""
        raw = await self.redis.get(_key(session_id))
        if raw is None:
            return None
        record = json.loads(as_text(raw))
        return record if isinstance(record, dict) else None

    async def end(self, session_id: str) -> bool:
        """Remove the session; True if there was one."""
        return bool(await self.redis.delete(_key(session_id)))
