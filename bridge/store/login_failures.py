"""`LoginFailures`: failed operator logins, counted per client address and overall.

Without a limit the login form took about 550 guesses a second. The counts live in
Redis so that every ingress replica shares them: a guesser spread over replicas meets
one limit. Windows are fixed and numbered by the app's clock (`now // WINDOW_SECONDS`),
so tests move them with a manual clock; Redis's expiry only clears old windows.

- `PER_CLIENT` failures in a window from one client address (an IPv6 client's whole
  /64, which one host usually holds) close the form to that address until the window
  ends;
- `OVERALL` failures in a window from all addresses together close it to everyone:
  a guesser with many addresses still gets few guesses, at the price of locking the
  operator out for the rest of that window.

While closed, the form does not look at the token at all (a right guess is not told
apart), and answers 429 with `Retry-After`. A successful login resets nothing.

Each count and its expiry are set in one Lua script, so no counter outlives its window.
"""

from __future__ import annotations

from dataclasses import dataclass

from redis.asyncio import Redis as AsyncRedis
from redis.commands.core import AsyncScript

from bridge.store import keys

__all__ = ["OVERALL", "PER_CLIENT", "WINDOW_SECONDS", "Failures", "LoginFailures"]

PER_CLIENT = 10
OVERALL = 100
WINDOW_SECONDS = 600
#: The key of the count over all addresses (no client address looks like this).
_ALL = "*"

# KEYS: the client's counter, the overall counter. ARGV: their expiry in seconds.
_COUNT = """
local counts = {}
for i, key in ipairs(KEYS) do
  counts[i] = redis.call('INCR', key)
  if redis.call('TTL', key) < 0 then
    redis.call('EXPIRE', key, tonumber(ARGV[1]))
  end
end
return counts
"""


@dataclass(frozen=True, slots=True)
class Failures:
    """The counts of the current window, with this failure."""

    client: int
    overall: int


class LoginFailures:
    """The failure counters, over the ingress's asyncio connection pool."""

    def __init__(self, redis: AsyncRedis, *, per_client: int = PER_CLIENT,
                 overall: int = OVERALL, window_seconds: int = WINDOW_SECONDS) -> None:
        self.redis = redis
        self.per_client = per_client
        self.overall = overall
        self.window = window_seconds
        self._count: AsyncScript = redis.register_script(_COUNT)

    def _keys(self, client: str, now: int) -> list[str]:
        window = now // self.window
        return [keys.admin_login_failures(window, client),
                keys.admin_login_failures(window, _ALL)]

    async def retry_after(self, client: str, now: int) -> int:
        """Seconds until `client` may try again (0: now), `now` in epoch seconds."""
        raw = await self.redis.mget(self._keys(client, now))
        from_client, overall = (int(value or 0) for value in raw)
        if from_client < self.per_client and overall < self.overall:
            return 0
        return self.window - now % self.window

    async def failed(self, client: str, now: int) -> Failures:
        """Count one failed login from `client` at `now`."""
        # Twice the window: a replica whose clock lags still finds the counts it adds to.
        counts = await self._count(keys=self._keys(client, now), args=[2 * self.window])
        return Failures(int(counts[0]), int(counts[1]))
