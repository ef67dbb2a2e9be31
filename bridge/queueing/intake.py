"""The ingress's fast path onto the queues: an intake list in Redis.

Building an RQ job costs about a tenth of a millisecond of Python and a Redis script
with dozens of arguments, which would cap the ingress far below a bare LPUSH. So the
ingress does only this, in one small Lua script: claim the dedupe key (SET NX) and,
if it was free, push a short JSON entry naming the job, its arguments and the job id
it will have. The claim and the push happen together or not at all, so a duplicate
is accepted once and an accepted notice is never lost. Workers' relays
(`bridge.queueing.relay`) move entries from the intake into RQ jobs in batches.

With replicas asked (`OABRIDGE_REDIS_MIN_REPLICAS`), the script and `WAIT` go in one
pipeline on one connection (`bridge.store.replication`), and `accept` raises
`NotReplicatedError` when too few replicas acknowledged in time: the ingress answers
503 (`bridge.http.problems`) instead of 202/200: the booking system's webhooks are
delivered again; Twilio does not retry an inbound message after a 5xx, and the inbound
reconciliation finds the reply at Twilio instead. The claim and the entry stay: if the
primary lives, the redelivery finds the claim and is a duplicate; if it failed over to
a replica that never saw them, the redelivery is accepted there. A duplicate is
checked the same way: the script then rewrites the claim's expiry, a write of its own,
so that the `WAIT` after it also covers the claim the first delivery made (replication
keeps the primary's order), and a duplicate is not acknowledged before its original is
on the replicas.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis as AsyncRedis
from redis.commands.core import AsyncScript

from bridge.observability.correlation import current_correlation
from bridge.queueing.enqueue import ClaimResult
from bridge.store import keys
from bridge.store.replication import NONE_ASKED, Replication, run_replicated_async

__all__ = ["Intake", "IntakeEntry"]

_CLAIM_AND_PUSH = """
local claimed = redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', tonumber(ARGV[2]))
if not claimed then
  local holder = redis.call('GET', KEYS[1])
  if ARGV[4] == '1' then
    local left = redis.call('PTTL', KEYS[1])
    if left > 0 then
      redis.call('PEXPIRE', KEYS[1], left)
    end
  end
  return {0, holder}
end
redis.call('LPUSH', KEYS[2], ARGV[3])
return {1, ARGV[1]}
"""


@dataclass(frozen=True, slots=True)
class IntakeEntry:
    """A job to be: which one (a key of `JOBS`), its arguments, its id, when accepted."""

    job: str
    args: tuple[Any, ...]
    job_id: str
    accepted_at: int
    correlation: str = ""

    def to_json(self) -> str:
        return json.dumps({"job": self.job, "args": list(self.args), "id": self.job_id,
                           "at": self.accepted_at, "cid": self.correlation},
                          separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | bytes) -> IntakeEntry:
        data = json.loads(text)
        return cls(str(data["job"]), tuple(data["args"]), str(data["id"]), int(data["at"]),
                   str(data.get("cid") or ""))


class Intake:
    """The ingress's side of the intake, over one asyncio Redis connection pool."""

    def __init__(self, redis: AsyncRedis, replication: Replication = NONE_ASKED) -> None:
        self.redis = redis
        self.replication = replication
        # EVALSHA: each call sends the script's hash, not its text.
        self._claim_and_push: AsyncScript = redis.register_script(_CLAIM_AND_PUSH)

    async def accept(
        self,
        job: str,
        args: Sequence[Any],
        job_id: str,
        *,
        claim_key: str,
        claim_ttl: int,
        now: int,
    ) -> ClaimResult:
        """Claim `claim_key` and push the entry, or report the job that holds the claim;
        `NotReplicatedError` when too few replicas acknowledged either in time."""
        entry = IntakeEntry(job, tuple(args), job_id, now, current_correlation() or job_id)
        asked = "1" if self.replication.replicas > 0 else "0"
        raw, acked = await run_replicated_async(
            self.redis, self._claim_and_push, [claim_key, keys.INTAKE],
            [job_id, claim_ttl, entry.to_json(), asked], self.replication,
        )
        self.replication.check("intake", acked)
        holder = raw[1].decode() if isinstance(raw[1], bytes) else str(raw[1])
        return ClaimResult(enqueued=int(raw[0]) == 1, job_id=holder)

    async def depth(self) -> int:
        """Accepted entries no relay has taken yet (the ingress's /metrics)."""
        return int(await self.redis.llen(keys.INTAKE))
