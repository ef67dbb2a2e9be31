"""The bridge's RQ queues and jobs: names, priorities, timeouts and retry policy as data.

RQ stores each job's function as a dotted path, so the paths below must not move.
Jobs take only ids and JSON-safe values (RQ's JSON serializer, not pickle). Queue
order is priority order: a customer's reply first; then the poll queue, whose jobs
(poll, reconciliations) are claimed one at a time, so it never holds more than a few
and costs the others little, while learning of a change never waits behind a burst
of sends; then sends; then syncs, one per webhook, unbounded, whose changes the next
poll finds anyway.

Each kind's timeout fits its work: the seconds of its own work (Redis, rendering, an
SMS provider's calls with their timeouts) plus, for each booking-API call it makes at
most, what one call may take with its retries (`RetryPolicy.call_budget` of the API
timeout: 51.75 s at the default 10 s). `timeout_for` computes it; a worker runs each
job under the timeout of its own API timeout (`job_timeouts`), and jobs are enqueued
with the default's, which is what RQ shows.

    job                 own work  API calls  timeout at 10 s
    sync_appointment      30 s        3          186 s
    forget_customer       30 s        0           30 s
    poll_agenda          120 s       10          638 s   (a few agendas, a page each)
    reconcile_agenda     600 s       24         1842 s   (pages of 500 of each agenda)
    handle_reply          60 s        5          319 s
    reconcile_inbound    300 s        0          300 s   (Twilio's listing)
    deliver_message       60 s        2          164 s
    deliver_batch        500 s        2          604 s   (rounds of concurrent sends)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

__all__ = ["ALL_AGENDAS", "DEFAULT_CALL_BUDGET", "JOBS", "QUEUES_BY_PRIORITY", "JobSpec",
           "QueueName", "job_timeouts"]

#: What one booking-API call may take, retries included, at the default API timeout of
#: 10 s (`bridge.booking.RetryPolicy().call_budget(10.0)`; tests/queueing checks it).
DEFAULT_CALL_BUDGET = 51.75


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
    #: Seconds of the job's own work, beside its booking-API calls.
    work_seconds: int
    retry_intervals: tuple[int, ...]
    #: Failed jobs stay visible in RQ's FailedJobRegistry this long.
    failure_ttl_seconds: int = 7 * 24 * 3600
    result_ttl_seconds: int = 3600
    #: The most booking-API calls the job makes (in the usual worst case).
    api_calls: int = 0

    def timeout_for(self, call_budget: float) -> int:
        """The job's timeout when one booking-API call may take `call_budget` seconds."""
        return self.work_seconds + math.ceil(self.api_calls * call_budget)

    @property
    def timeout_seconds(self) -> int:
        """The job's timeout at the default API timeout (what it is enqueued with)."""
        return self.timeout_for(DEFAULT_CALL_BUDGET)


#: About 15 minutes of retries: for what a provider or the booking API may answer. A send
#: the bridge holds back itself (`SendHeldBack`) does not use them: the send jobs plan
#: the message again and complete (`bridge.sending.holds`), since a hold (no replica
#: after a failover) may last longer.
_RETRY = (10, 30, 60, 180, 600)

#: The long jobs' retries. A job whose worker was killed uses one too (it is put back at
#: once: `bridge.queueing.abandoned`), and a long job is the likeliest to be running
#: when a worker dies: in the full soak, which kills a worker every 7 s, a batch of
#: sends was killed four times in 30 s and ended in the failed registry with three.
_LONG_RETRY = (30, 120, 600, 600, 600, 600)

#: The agenda id a poll job takes to mean "every watched agenda" (the ticker's polls,
#: the poll trigger's without an agenda).
ALL_AGENDAS = 0

JOBS: dict[str, JobSpec] = {
    spec.function.rsplit(".", 1)[1]: spec
    for spec in (
        JobSpec("workers.sync.sync_appointment", QueueName.SYNC, 30, _RETRY, api_calls=3),
        JobSpec("workers.sync.forget_customer", QueueName.SYNC, 30, _RETRY),
        JobSpec("workers.sync.poll_agenda", QueueName.POLL, 120, (5, 15, 30, 60),
                api_calls=10),
        JobSpec("workers.sync.reconcile_agenda", QueueName.POLL, 600, _LONG_RETRY,
                api_calls=24),
        JobSpec("workers.replies.handle_reply", QueueName.REPLIES, 60, _RETRY, api_calls=5),
        JobSpec("workers.replies.reconcile_inbound", QueueName.POLL, 300, (30, 120)),
        JobSpec("workers.deliver.deliver_message", QueueName.SEND, 60, _RETRY, api_calls=2),
        JobSpec("workers.deliver.deliver_batch", QueueName.SEND, 500, _LONG_RETRY,
                api_calls=2),
    )
}


def job_timeouts(call_budget: float) -> Mapping[str, int]:
    """Each job kind's timeout by function path, for a worker whose booking-API calls
    may each take `call_budget` seconds."""
    return {spec.function: spec.timeout_for(call_budget) for spec in JOBS.values()}
