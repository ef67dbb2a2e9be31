"""Phone numbers that opted out of SMS (STOP and Twilio's other opt-out words).

Kept per E.164 number with when and by which word, without expiry: an opt-out is
the customer's standing wish until they opt in again (START) or are erased.
"""

from __future__ import annotations

import json
from datetime import datetime

from redis import Redis

from bridge.store import keys

__all__ = ["OptOuts"]


class OptOuts:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    def opt_out(self, phone: str, word: str, now: datetime) -> None:
        self.redis.set(keys.opt_out(phone),
                       json.dumps({"word": word, "at": int(now.timestamp())}))

    def opt_in(self, phone: str) -> bool:
        return bool(self.redis.delete(keys.opt_out(phone)))

    def is_opted_out(self, phone: str) -> bool:
        return bool(self.redis.exists(keys.opt_out(phone)))
