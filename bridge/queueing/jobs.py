"""The bridge's RQ queues and jobs: names, priorities, timeouts and retry policy as data.

RQ stores each job's function as a dotted path, so the paths below must not move.
Jobs take only ids and JSON-safe values (RQ's JSON serializer, not pickle). Queue
order is priority order: a customer's reply first; then the poll queue, whose jobs
(poll, reconciliations) are claimed one at a time, so it never holds more than a few
and costs the others little, while learning of a change never waits behind a burst
of sends; then sends; then syncs, one per webhook, unbounded, whose changes the next
poll finds anyway.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

__all__ = ["ALL_AGENDAS", "JOBS", "QUEUES_BY_PRIORITY", "JobSpec", "QueueName"]


class QueueName(Enum):
    REPLIES = "replies"
    SEND = "send"
    SYNC = "sync"
    POLL = "poll"


QUEUES_BY_PRIORITY: tuple[QueueName, ...] = (
    QueueName.REPLIES,
    QueueName.POLL,
    QueueName.SEND,
    QueueName.SYNC,
)


@dataclass(frozen=True, slots=True)
class JobSpec:
    """How one kind of job is queued and retried."""

    function: str
    queue: QueueName
    timeout_seconds: int
    retry_intervals: tuple[int, ...]
    #: Failed jobs stay visible in RQ's FailedJobRegistry this long.
    failure_ttl_seconds: int = 7 * 24 * 3600
    result_ttl_seconds: int = 3600


_RETRY = (10, 30, 60, 180, 600)

#: The agenda id a poll job takes to mean "every watched agenda" (the ticker's polls,
#: the poll trigger's without an agenda).
ALL_AGENDAS = 0

JOBS: dict[str, JobSpec] = {
    spec.function.rsplit(".", 1)[1]: spec
    for spec in (
        JobSpec("workers.sync.sync_appointment", QueueName.SYNC, 60, _RETRY),
        JobSpec("workers.sync.forget_customer", QueueName.SYNC, 30, _RETRY),
        JobSpec("workers.sync.poll_agenda", QueueName.POLL, 600, (5, 15, 30, 60)),
        JobSpec("workers.sync.reconcile_agenda", QueueName.POLL, 1800, (30, 120, 600)),
        JobSpec("workers.replies.handle_reply", QueueName.REPLIES, 120, _RETRY),
        JobSpec("workers.replies.reconcile_inbound", QueueName.POLL, 300, (30, 120)),
        JobSpec("workers.deliver.deliver_message", QueueName.SEND, 120, _RETRY),
        JobSpec("workers.deliver.deliver_batch", QueueName.SEND, 600, (30, 120, 600)),
    )
}
