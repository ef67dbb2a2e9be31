"""Is the bridge done, and did it leave anything behind? Read from Redis and RQ.

The poll queue never empties (the ticker queues a poll every interval), so "done"
means: nothing waiting, running or scheduled for retry on the replies, send and sync
queues, no intake entry in flight, and no planned message whose time has come.
"""

from __future__ import annotations

import time
from collections import defaultdict
from datetime import UTC, datetime
from itertools import pairwise

from redis import Redis
from rq import Queue
from rq.job import Job
from rq.registry import FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry
from rq.serializers import JSONSerializer

from bench.soaklib.evidence import Sent
from bench.soaklib.verdict import Rules
from bridge.store import keys
from bridge.store.message_log import MessageLog

WORK_QUEUES = ("replies", "send", "sync")
LOSS_SLACK = 5.0
"""A send's link is written just after the provider accepted it (whole-second stamps)."""
ALL_QUEUES = (*WORK_QUEUES, "poll")


def busy(redis: Redis) -> bool:
    for name in WORK_QUEUES:
        queue = Queue(name, connection=redis, serializer=JSONSerializer)
        if queue.count or StartedJobRegistry(queue=queue).count \
                or ScheduledJobRegistry(queue=queue).count:
            return True
    if redis.llen(keys.INTAKE) or redis.llen(keys.INTAKE_PROCESSING):
        return True
    return bool(redis.zcount(keys.SCHEDULE, "-inf", time.time()))


def leftovers(redis: Redis, sent: list[Sent], rules: Rules | None = None) -> list[str]:
    """Problems: jobs left running or failed, provider messages the bridge's message log
    does not hold exactly once (each provider id its own log record, linked back).

    `sent` has its log ids from Redis or, where a Redis fault took them, from the soak's
    copy (`log_copies`). After a fault that may lose writes (`rules.losses`: amnesia,
    failover), a record Redis no longer holds (or holds again, written after the loss with
    no provider id, e.g. skipped as memory lost) is not a problem, nor a provider message
    accepted before the loss that no record names (`Rules.before_loss`), nor a record
    linked after the loss to another provider message accepted before it (found in
    Twilio's log: a text it may have had), nor a move notice e-mailed before an amnesia
    and again after it (counted apart by the oracle); a record linked to two provider
    messages still is, and so is an unlinked one accepted after."""
    problems: list[str] = []
    for name in ALL_QUEUES:
        queue = Queue(name, connection=redis, serializer=JSONSerializer)
        started = StartedJobRegistry(queue=queue).get_job_ids()
        if started and name in WORK_QUEUES:
            problems.append(f"{len(started)} job(s) left in {name}'s started registry")
        for job_id in FailedJobRegistry(queue=queue).get_job_ids():
            problems.append(f"failed job {name}/{job_id}: {_failure(redis, job_id)}")
    log = MessageLog(redis, 86400)
    unknown = [s for s in sent if s.log_id is None
               and not (rules is not None and rules.before_loss(s.at, LOSS_SLACK))]
    if unknown:  # what and when, to find it in the workers' logs
        first = unknown[0]
        when = datetime.fromtimestamp(first.at, UTC).strftime("%H:%M:%S")
        problems.append(f"{len(unknown)} provider message(s) missing from the message log, "
                        f"e.g. {first.provider_id} ({first.channel} {first.reading.kind}, "
                        f"accepted {when} UTC)")
    return problems + _record_problems(log, sent, rules)


def _record_problems(log: MessageLog, sent: list[Sent], rules: Rules | None) -> list[str]:
    """Each provider message's log record, holding it once and linking back to it."""
    problems: list[str] = []
    lossy = rules is not None and bool(rules.losses)
    by_record: dict[str, list[Sent]] = defaultdict(list)
    by_id = {message.provider_id: message for message in sent}
    for message in sent:
        if message.log_id is not None:
            by_record[message.log_id].append(message)
    for log_id, messages in by_record.items():
        record = log.get(log_id)
        if rules is not None and _emailed_across_amnesia(messages, rules):
            messages = [max(messages, key=lambda m: m.at)]  # the oracle counts it apart
        if len(messages) > 1:
            problems.append(f"{len(messages)} provider messages for one log record {log_id}")
        elif lossy and (record is None or not record.provider_id):
            continue  # forgotten, or written again after the loss without the provider's id
        elif lossy and rules is not None and record is not None \
                and record.provider_id in by_id \
                and rules.before_loss(by_id[record.provider_id].at, LOSS_SLACK) \
                and rules.before_loss(messages[0].at, LOSS_SLACK):
            continue  # found again after the loss: another SMS with a text it may have had
        elif record is None or record.provider_id != messages[0].provider_id:
            problems.append(f"log record {log_id} does not link back to "
                            f"{messages[0].provider_id}")
    return problems


def _emailed_across_amnesia(messages: list[Sent], rules: Rules) -> bool:
    """A move notice e-mailed before an amnesia and again after it: allowed, and counted
    apart by the oracle (`PlannedRules._emailed_again_after_loss`)."""
    kinds = {(m.log_id or "").split(":")[1] for m in messages}
    if len(messages) < 2 or kinds != {"rescheduled"} or \
            any(m.channel != "email" for m in messages):
        return False
    at = sorted(m.at for m in messages)
    return all(any(earlier < began < later for began, _ in rules.amnesia)
               for earlier, later in pairwise(at))


def _failure(redis: Redis, job_id: str) -> str:
    try:
        job = Job.fetch(job_id, connection=redis, serializer=JSONSerializer)
    except Exception as exc:  # an expired job hash: say so, do not crash the report
        return f"(job gone: {type(exc).__name__})"
    result = job.latest_result()
    text = (result.exc_string if result is not None else None) or ""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return f"{job.func_name}: {lines[-1] if lines else 'no exception recorded'}"
