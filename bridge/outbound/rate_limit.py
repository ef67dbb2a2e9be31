"""A token bucket in Redis, shared by every worker, so a big reminder run keeps to the
rate Twilio accepts (`OABRIDGE_SMS_RATE` messages per second; 0 means no limit).

The bucket starts with one token and holds at most one second's worth. `acquire`
takes a token if there is one and otherwise says how long to wait; the caller sleeps (in production)
or advances its clock (in tests). Time comes from Redis's own clock (TIME), so
workers on machines with different clocks share one bucket fairly.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from redis import Redis

from bridge.store import keys

__all__ = ["TokenBucket"]

_TAKE = """
local rate = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local now = redis.call('TIME')
local t = tonumber(now[1]) + tonumber(now[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or 1  -- no burst at the start of a run
local at = tonumber(state[2]) or t
tokens = math.min(capacity, tokens + (t - at) * rate)
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = (1 - tokens) / rate
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(t))
redis.call('EXPIRE', KEYS[1], 60)
return tostring(wait)
"""


class TokenBucket:
    def __init__(
        self,
        redis: Redis,
        rate_per_second: float,
        *,
        name: str = "sms",
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.redis = redis
        self.rate = rate_per_second
        self.capacity = max(1.0, rate_per_second)
        self.key = keys.rate_bucket(name)
        self.sleep = sleep
        self._take = redis.register_script(_TAKE)

    def try_acquire(self) -> float:
        """Take a token now (0.0), or the seconds to wait before trying again."""
        if self.rate <= 0:
            return 0.0
        return float(self._take(keys=[self.key], args=[self.rate, self.capacity]))

    def acquire(self) -> None:
        """Block until a token is taken."""
        while (wait := self.try_acquire()) > 0:
            self.sleep(wait)
