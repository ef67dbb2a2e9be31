"""`AccountCache`: facts about the booking account that change rarely, shared by workers.

Whether the account requires confirmation codes and which agendas it has are asked of
the booking API at most once an hour by all worker processes together; between those
questions they are read from here.
"""

from __future__ import annotations

import json

from redis import Redis

from bridge.store import keys

__all__ = ["AccountCache"]


class AccountCache:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    def requires_confirmation(self) -> bool | None:
        """The cached `requiresConfirmation`, or None when it must be asked."""
        cached = self.redis.get(keys.REQUIRES_CONFIRMATION)
        return None if cached is None else cached == b"1"

    def remember_requires_confirmation(self, required: bool) -> None:
        self.redis.set(keys.REQUIRES_CONFIRMATION, "1" if required else "0",
                       ex=keys.ACCOUNT_CACHE_SECONDS)

    def agendas(self) -> tuple[int, ...] | None:
        """The cached agenda ids of the account, or None when they must be asked."""
        cached = self.redis.get(keys.AGENDAS)
        return None if cached is None else tuple(int(i) for i in json.loads(cached))

    def remember_agendas(self, ids: tuple[int, ...]) -> None:
        self.redis.set(keys.AGENDAS, json.dumps(ids), ex=keys.ACCOUNT_CACHE_SECONDS)
