"""Claims a replica has seen: `WAIT` after the write, on the same connection.

A failover promotes a replica that may have missed the primary's last writes. A claim
it missed is a message the bridge sends again; an intake entry it missed is a notice
acknowledged and lost. So with `OABRIDGE_REDIS_MIN_REPLICAS` > 0 a claim counts only
once that many replicas acknowledged it: the claim's script and `WAIT n timeout` go in
one pipeline (not a transaction) on one connection, because `WAIT` waits for the
replication offset of that connection's own last write. Fewer acknowledgements within
`OABRIDGE_REDIS_REPLICA_TIMEOUT_MS` raise `NotReplicatedError` (a `RedisError`, so
whatever outlives a Redis error outlives it): the caller releases what it claimed, and
the send is retried (`bridge.store.claims`) or the ingress answers 503
(`bridge.queueing.intake`), never going ahead unreplicated.

`WAIT` does not make a write durable everywhere: a replica that acknowledged may still
be lost with the primary. It makes a failover to that replica keep the claim, which is
what Sentinel does with the replica that is most up to date.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import structlog
from redis import Redis
from redis.asyncio import Redis as AsyncRedis
from redis.commands.core import AsyncScript, Script
from redis.exceptions import RedisError

from bridge.store.redis_target import RedisTarget, as_target

__all__ = [
    "NONE_ASKED", "NotReplicatedError", "Replication", "run_replicated", "run_replicated_async",
]

log = structlog.get_logger(__name__)


class NotReplicatedError(RedisError):
    """Fewer replicas than asked acknowledged a claim in time."""

    def __init__(self, what: str, acked: int, wanted: int) -> None:
        super().__init__(f"{what}: {acked} of {wanted} replicas acknowledged in time")
        self.what = what
        self.acked = acked
        self.wanted = wanted


@dataclass(frozen=True, slots=True)
class Replication:
    """How many replicas must acknowledge a claim, and how long it waits for them."""

    replicas: int = 0
    timeout_ms: int = 500

    @classmethod
    def of(cls, target: RedisTarget | str) -> Replication:
        found = as_target(target)
        return cls(found.min_replicas, found.replica_timeout_ms)

    def check(self, what: str, acked: int) -> None:
        """Raise `NotReplicatedError` (logged once) when `acked` falls short."""
        if acked < self.replicas:
            log.warning("claim_not_replicated", claim=what, acked=acked, wanted=self.replicas,
                        timeout_ms=self.timeout_ms)
            raise NotReplicatedError(what, acked, self.replicas)


#: No replica asked: a claim counts once the primary has it (the default).
NONE_ASKED = Replication()


def run_replicated(redis: Redis, script: Script, keys: Sequence[Any], args: Sequence[Any],
                   rule: Replication) -> tuple[Any, int]:
    """Run `script`; with replicas asked, followed by WAIT on the same connection.
    Returns the script's answer and the replicas that acknowledged (with none asked:
    `rule.replicas`, i.e. 0, and no WAIT)."""
    if rule.replicas <= 0:
        return script(keys=keys, args=args, client=redis), 0
    pipe = redis.pipeline(transaction=False)
    script(keys=keys, args=args, client=pipe)
    pipe.wait(rule.replicas, rule.timeout_ms)
    found, acked = pipe.execute()
    return found, int(acked)


async def run_replicated_async(redis: AsyncRedis, script: AsyncScript, keys: Sequence[Any],
                               args: Sequence[Any], rule: Replication) -> tuple[Any, int]:
    """`run_replicated` on the asyncio client (the ingress)."""
    if rule.replicas <= 0:
        return await script(keys=keys, args=args, client=redis), 0
    pipe = redis.pipeline(transaction=False)
    await script(keys=keys, args=args, client=pipe)
    pipe.wait(rule.replicas, rule.timeout_ms)
    found, acked = await pipe.execute()
    return found, int(acked)
