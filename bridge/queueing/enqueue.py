"""Putting jobs on RQ queues, once.

`JobWriter.commands` asks RQ itself which Redis commands enqueue a job (recorded on a
pipeline that is never executed, `rq_internals.recorded`), so the job looks exactly as
RQ would write it. `enqueue_once` runs them inside one Lua script that first claims a
dedupe key with SET NX: the claim and the enqueue happen together or not at all, so a
duplicate is enqueued once and an accepted job is never lost between the two steps.
(The ingress does not build RQ jobs at all: see `bridge.queueing.intake`.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from redis import Redis
from redis.client import Pipeline
from rq import Queue, Retry
from rq.serializers import JSONSerializer

from bridge.observability.correlation import current_correlation
from bridge.queueing.jobs import JobSpec, QueueName
from bridge.queueing.rq_internals import recorded

__all__ = ["RUN_PACKED_COMMANDS", "ClaimResult", "JobWriter", "flatten_commands"]

#: Lua: run the commands `flatten_commands` packed into ARGV, from ARGV[3] on.
RUN_PACKED_COMMANDS = """
local i = 3
while i <= #ARGV do
  local n = tonumber(ARGV[i])
  local command = {}
  for j = 1, n do command[j] = ARGV[i + j] end
  redis.call(unpack(command))
  i = i + n + 1
end
"""

_CLAIM_AND_RUN = """
local claimed = redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', tonumber(ARGV[2]))
if not claimed then
  return {0, redis.call('GET', KEYS[1])}
end
""" + RUN_PACKED_COMMANDS + """
return {1, ARGV[1]}
"""


@dataclass(frozen=True, slots=True)
class ClaimResult:
    """Whether this call enqueued the job, and the id of the job that holds the claim."""

    enqueued: bool
    job_id: str


def flatten_commands(commands: Sequence[tuple[Any, ...]]) -> list[Any]:
    flat: list[Any] = []
    for command in commands:
        flat.append(len(command))
        flat.extend(command)
    return flat


def _result(raw: Sequence[Any]) -> ClaimResult:
    job_id = raw[1].decode() if isinstance(raw[1], bytes) else str(raw[1])
    return ClaimResult(enqueued=int(raw[0]) == 1, job_id=job_id)


class JobWriter:
    """Builds and writes RQ jobs for the bridge's queues."""

    def __init__(self, redis: Redis) -> None:
        #: Lets RQ build its commands; runs them (`enqueue_*`) and the depth reads.
        self._redis = redis
        self._queues = {
            name: Queue(name.value, connection=redis, serializer=JSONSerializer)
            for name in QueueName
        }

    def queue(self, name: QueueName) -> Queue:
        return self._queues[name]

    def depths(self) -> dict[QueueName, int]:
        """Jobs waiting in each queue (RQ's `Queue.count` of each), in one round trip."""
        with self._redis.pipeline(transaction=False) as pipe:
            for queue in self._queues.values():
                pipe.llen(queue.key)
            counts = pipe.execute()
        return {name: int(count) for name, count in zip(self._queues, counts, strict=True)}

    def commands(
        self, spec: JobSpec, args: Sequence[Any], job_id: str, correlation: str | None = None
    ) -> list[tuple[Any, ...]]:
        """The Redis commands RQ would run to enqueue this job."""
        queue = self._queues[spec.queue]
        meta = {"cid": correlation or current_correlation() or job_id}

        def write(pipe: Pipeline) -> None:
            queue.enqueue_call(
                spec.function,
                args=tuple(args),
                job_id=job_id,
                timeout=spec.timeout_seconds,
                result_ttl=spec.result_ttl_seconds,
                failure_ttl=spec.failure_ttl_seconds,
                retry=(
                    Retry(max=len(spec.retry_intervals), interval=list(spec.retry_intervals))
                    if spec.retry_intervals else None
                ),
                pipeline=pipe,
                meta=meta,
            )

        return recorded(self._redis, write)

    def enqueue_once(
        self, spec: JobSpec, args: Sequence[Any], job_id: str, claim_key: str, claim_ttl: int
    ) -> ClaimResult:
        """Enqueue unless `claim_key` is already held (then report who holds it)."""
        flat = flatten_commands(self.commands(spec, args, job_id))
        raw = self._redis.eval(_CLAIM_AND_RUN, 1, claim_key, job_id, claim_ttl, *flat)
        return _result(raw)

    def enqueue(self, spec: JobSpec, args: Sequence[Any], job_id: str) -> str:
        """Enqueue unconditionally (the job must be safe to run twice)."""
        self.enqueue_many([(spec, args, job_id)])
        return job_id

    def enqueue_many(
        self,
        jobs: Sequence[tuple[JobSpec, Sequence[Any], str]],
        correlations: Sequence[str | None] | None = None,
    ) -> None:
        """Enqueue several jobs in one round trip (each must be safe to run twice)."""
        if not jobs:
            return
        with self._redis.pipeline() as pipe:
            for index, (spec, args, job_id) in enumerate(jobs):
                correlation = correlations[index] if correlations else None
                for command in self.commands(spec, args, job_id, correlation):
                    pipe.execute_command(*command)  # type: ignore[no-untyped-call]
            pipe.execute()
