"""`PollTriggers`: at most one triggered poll per agenda within a minimum interval.

The poll trigger's own claim (`keys.poll_queued`) only holds while a poll waits in
its queue: a worker takes it within milliseconds, so a stream of valid triggers ran
a poll for nearly every one (300 triggers, 88 polls), each a call to the booking API.
Here each agenda remembers when a trigger last queued its poll, by the injected
clock, and with which job id; a trigger within `MIN_INTERVAL_SECONDS` after that is
coalesced into it (answered, not queued). A change it announced is still seen: by
that poll if it has not run yet, else by the regular poll within
`OABRIDGE_POLL_INTERVAL`.

Claim and check are one Lua script, so concurrent triggers queue one poll. A moment
before the recorded one (a clock set back) starts a new interval instead of
coalescing forever. The key's TTL only cleans up: the times compared are the clock's.
"""

from __future__ import annotations

from dataclasses import dataclass

from redis.asyncio import Redis as AsyncRedis
from redis.commands.core import AsyncScript

from bridge.store import keys

__all__ = ["MIN_INTERVAL_SECONDS", "PollTriggers", "TriggerClaim"]

#: Triggers for an agenda this soon after the poll a trigger queued are coalesced.
MIN_INTERVAL_SECONDS = 10

# KEYS: the agenda's record. ARGV: now, interval, job id, ttl (seconds).
# Returns {1, now, job id} when claimed, {0, then, job id} when within the interval.
_CLAIM = """
local found = redis.call('GET', KEYS[1])
local now = tonumber(ARGV[1])
if found then
  local sep = string.find(found, ' ', 1, true)
  local at = sep and tonumber(string.sub(found, 1, sep - 1))
  if at and now >= at and now < at + tonumber(ARGV[2]) then
    return {0, at, string.sub(found, sep + 1)}
  end
end
redis.call('SET', KEYS[1], ARGV[1] .. ' ' .. ARGV[3], 'EX', tonumber(ARGV[4]))
return {1, now, ARGV[3]}
"""

# KEYS: the agenda's record. ARGV: the time it was claimed at, the job id to keep.
_SETTLE = """
local found = redis.call('GET', KEYS[1])
if found and string.sub(found, 1, string.len(ARGV[1]) + 1) == ARGV[1] .. ' ' then
  redis.call('SET', KEYS[1], ARGV[1] .. ' ' .. ARGV[2], 'KEEPTTL')
end
return 0
"""


@dataclass(frozen=True, slots=True)
class TriggerClaim:
    #: True: this trigger may queue a poll. False: coalesced into `job_id`.
    claimed: bool
    #: When the interval began (epoch seconds, by the injected clock).
    since: int
    job_id: str


class PollTriggers:
    """The per-agenda trigger records, over the ingress's asyncio connection pool."""

    def __init__(self, redis: AsyncRedis, interval_seconds: int = MIN_INTERVAL_SECONDS) -> None:
        self.interval = interval_seconds
        self._claim: AsyncScript = redis.register_script(_CLAIM)
        self._settle: AsyncScript = redis.register_script(_SETTLE)

    async def claim(self, agenda_id: int, job_id: str, now: int) -> TriggerClaim:
        """Start an interval for `agenda_id` with `job_id`, or say which one holds it."""
        ttl = self.interval + 60
        raw = await self._claim(keys=[keys.poll_triggered(agenda_id)],
                                args=[now, self.interval, job_id, ttl])
        claimed, since, holder = raw
        text = holder.decode() if isinstance(holder, bytes) else str(holder)
        return TriggerClaim(bool(int(claimed)), int(since), text)

    async def settle(self, agenda_id: int, claim: TriggerClaim, job_id: str) -> None:
        """Record the job that really serves this interval (a poll already queued)."""
        await self._settle(keys=[keys.poll_triggered(agenda_id)], args=[claim.since, job_id])
