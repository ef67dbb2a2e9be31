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

Every attempt is counted before its token is compared (`attempt`), in one Lua script
that checks both limits and adds to both counts: a first version checked, compared,
then counted, and 300 guesses sent at once had 102 tokens compared. A refused attempt
adds nothing (a locked-out address cannot push the overall count up), and a right
token gives its attempt back (`give_back`), so logging in uses no guess. While
closed, the form does not look at the token at all (a right guess is not told apart),
and answers 429 with `Retry-After`. A successful login resets nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

from redis.asyncio import Redis as AsyncRedis
from redis.commands.core import AsyncScript

from bridge.store import keys

__all__ = ["OVERALL", "PER_CLIENT", "WINDOW_SECONDS", "Attempt", "LoginFailures"]

PER_CLIENT = 10
OVERALL = 100
WINDOW_SECONDS = 600
#: The key of the count over all addresses (no client address looks like this).
_ALL = "*"

# KEYS: the client's counter, the overall counter. ARGV: their limits, then their expiry
# in seconds. Returns {1 if counted (0: refused, nothing added), the two counts}.
_ATTEMPT = """
local client = tonumber(redis.call('GET', KEYS[1]) or '0')
local overall = tonumber(redis.call('GET', KEYS[2]) or '0')
if client >= tonumber(ARGV[1]) or overall >= tonumber(ARGV[2]) then
  return {0, client, overall}
end
local counts = {1}
for i, key in ipairs(KEYS) do
  counts[i + 1] = redis.call('INCR', key)
  if redis.call('TTL', key) < 0 then
    redis.call('EXPIRE', key, tonumber(ARGV[3]))
  end
end
return counts
"""

# KEYS: the counters an attempt added to. Never makes a count that has expired.
_GIVE_BACK = """
for _, key in ipairs(KEYS) do
  if tonumber(redis.call('GET', key) or '0') > 0 then
    redis.call('DECR', key)
  end
end
return 0
"""


@dataclass(frozen=True, slots=True)
class Attempt:
    """One login attempt's place in its window: refused (`retry_after` > 0), or counted."""

    client: str
    window: int
    #: Seconds until the form opens again; 0 when this attempt was counted.
    retry_after: int
    #: The counts of the window, with this attempt when it was counted.
    from_client: int
    overall: int


class LoginFailures:
    """The failure counters, over the ingress's asyncio connection pool."""

    def __init__(self, redis: AsyncRedis, *, per_client: int = PER_CLIENT,
                 overall: int = OVERALL, window_seconds: int = WINDOW_SECONDS) -> None:
        self.redis = redis
        self.per_client = per_client
        self.overall = overall
        self.window = window_seconds
        self._attempt: AsyncScript = redis.register_script(_ATTEMPT)
        self._give_back: AsyncScript = redis.register_script(_GIVE_BACK)

    def _keys(self, client: str, window: int) -> list[str]:
        return [keys.admin_login_failures(window, client),
                keys.admin_login_failures(window, _ALL)]

    async def attempt(self, client: str, now: int) -> Attempt:
        """Count one attempt from `client` at `now` (epoch seconds) as a failure, unless
        a limit is reached: then nothing is counted and the attempt must be refused."""
        window = now // self.window
        # Twice the window: a replica whose clock lags still finds the counts it adds to.
        counted, from_client, overall = await self._attempt(
            keys=self._keys(client, window),
            args=[self.per_client, self.overall, 2 * self.window])
        wait = 0 if int(counted) else self.window - now % self.window
        return Attempt(client, window, wait, int(from_client), int(overall))

    async def give_back(self, attempt: Attempt) -> None:
        """Take back a counted attempt whose token was right: it was no failure."""
        if not attempt.retry_after:
            await self._give_back(keys=self._keys(attempt.client, attempt.window))
