"""The send jobs: a batch of due messages sent concurrently, and single retries.

A worker process sends many messages at once: Twilio takes 100-300 ms per call, so
one at a time would manage a handful per second. `deliver_batch` sends its messages
on a thread pool (`OABRIDGE_SEND_CONCURRENCY`), each with its own exactly-once claim.
A message that fails transiently (or whose checks hit an upstream error) is queued
again on its own as `deliver_message`, which RQ retries with growing intervals and,
when they run out, keeps in the failed registry.
"""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import structlog

from bridge.booking import BookingError
from bridge.observability.correlation import correlated
from bridge.outbound.errors import TransientSendError
from bridge.queueing.jobs import JOBS
from workers import runtime
from workers.delivery import Delivery, Outcome
from workers.tracing import traced

__all__ = ["deliver_batch", "deliver_message"]

log = structlog.get_logger(__name__)


def _delivery() -> Delivery:
    rt = runtime.current()
    return Delivery(rt, rt.render)


@traced
def deliver_message(message_key: str) -> dict[str, Any]:
    """Deliver one message; a transient failure raises, so RQ retries it."""
    outcomes = _delivery().deliver(message_key)
    return {"message": message_key, "outcomes": [o.status for o in outcomes]}


@traced
def deliver_batch(message_keys: list[str]) -> dict[str, Any]:
    """Deliver many messages concurrently; transient failures are queued for retry."""
    rt = runtime.current()
    delivery = Delivery(rt, rt.render)

    def one(key: str) -> list[Outcome] | Exception:
        with correlated(rt.plans.correlation(key)):  # threads do not inherit the job's
            try:
                return delivery.deliver(key)
            except (TransientSendError, BookingError) as exc:
                return exc

    with ThreadPoolExecutor(max_workers=rt.settings.send_concurrency,
                            thread_name_prefix="send") as pool:
        results = list(pool.map(one, message_keys))
    retry = [key for key, result in zip(message_keys, results, strict=True)
             if isinstance(result, Exception)]
    for key in retry:
        job_id = "deliver-retry-" + hashlib.sha256(key.encode()).hexdigest()[:32]
        rt.writer.enqueue(JOBS["deliver_message"], [key], job_id)
    statuses: dict[str, int] = {}
    for result in results:
        if not isinstance(result, Exception):
            for outcome in result:
                statuses[outcome.status] = statuses.get(outcome.status, 0) + 1
    if retry:
        log.warning("send_retry_queued", count=len(retry))
    return {"messages": len(message_keys), "retrying": len(retry), "outcomes": statuses}
