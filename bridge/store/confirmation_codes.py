"""Confirmation codes that upstream change notices supplied, by appointment.

A customer who replies JA without the code can still be confirmed when a notice
told the bridge the code; it is kept until a week after any appointment could be.
"""

from __future__ import annotations

from redis import Redis

from bridge.store import keys
from bridge.store.text import as_text

__all__ = ["ConfirmationCodes"]


class ConfirmationCodes:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    def remember(self, appointment_id: int, code: str) -> None:
        self.redis.set(keys.confirmation_code(appointment_id), code,
                       ex=keys.AFTER_APPOINTMENT_SECONDS)

    def get(self, appointment_id: int) -> str | None:
        raw = self.redis.get(keys.confirmation_code(appointment_id))
        return None if raw is None else as_text(raw)
