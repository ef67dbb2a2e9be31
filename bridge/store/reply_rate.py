"""`ReplyRate`: how many SMS replies one phone number sent in the current window.

The ingress records every inbound SMS but hands at most `REPLIES_PER_WINDOW` a window
per number on to be handled, so a flood from one number cannot starve the others. The
window is fixed: it starts at the number's first reply and lasts `WINDOW_SECONDS`.

The count and its expiry are set in one Lua script. As two calls, a connection lost
between INCR and EXPIRE would leave a counter that never expires and silence the
number for good; the script also gives such a counter (left by an older release) its
expiry back.
"""

from __future__ import annotations

from redis.asyncio import Redis as AsyncRedis
from redis.commands.core import AsyncScript

from bridge.store import keys

__all__ = ["REPLIES_PER_WINDOW", "WINDOW_SECONDS", "ReplyRate"]

REPLIES_PER_WINDOW = 10
WINDOW_SECONDS = 600

# KEYS: the number's counter. ARGV: the window in seconds. Returns the new count.
_COUNT = """
local count = redis.call('INCR', KEYS[1])
if redis.call('TTL', KEYS[1]) == -1 then
  redis.call('EXPIRE', KEYS[1], tonumber(ARGV[1]))
end
return count
"""


class ReplyRate:
    """The per-number reply counters, over the ingress's asyncio connection pool."""

    def __init__(self, redis: AsyncRedis, limit: int = REPLIES_PER_WINDOW,
                 window_seconds: int = WINDOW_SECONDS) -> None:
        self.limit = limit
        self.window = window_seconds
        # EVALSHA: each call sends the script's hash, not its text.
        self._count: AsyncScript = redis.register_script(_COUNT)

    async def count(self, phone: str) -> int:
        """Count one more reply from `phone`; how many it sent in this window."""
        return int(await self._count(keys=[keys.reply_rate(phone)], args=[self.window]))

    async def allow(self, phone: str) -> bool:
        """Count one more reply from `phone`; False once it is over the limit."""
        return await self.count(phone) <= self.limit
