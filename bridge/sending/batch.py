"""Sending due messages: a batch at once on a thread pool, or one on its own.

A worker process sends many messages at once: Twilio takes 100-300 ms per call, so
one at a time would manage a handful per second. A batch sends its messages on a
thread pool (`OABRIDGE_SEND_CONCURRENCY`), each with its own exactly-once claim.

One message's failure never fails its batch: whatever one raises (a transient provider
error, an upstream error in its checks, or anything unforeseen) is caught for that
message, and the message is queued again on its own (`SendingServices.retry_later`),
as a job that RQ retries with growing intervals if the error is transient and fails
at once, visibly, if it is permanent (`workers.tracing`). The other messages go on,
and every retry collected is queued. What can be recorded on the message itself (a
provider's refusal, a template that does not render) is recorded there and is not
an error of the batch at all.

A send the bridge held back itself (`SendHeldBack`: no replica acknowledged its claim,
the epoch undecided, Twilio's log unreadable after a loss) is neither: the message is
put back on the schedule (`bridge.sending.holds`) and the job completes, in a batch and
in a message's own job alike, so a hold longer than RQ's retries loses nothing.

After a loss of Redis's memory a batch's lookups in Twilio's log share one read of it
(`Recovery.sharing_sent_log`): a few pages for the whole batch, not a listing each.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import structlog

from bridge.observability.correlation import correlated
from bridge.outbound.errors import SendHeldBack
from bridge.sending.delivery import Delivery, Outcome
from bridge.sending.holds import hold_back
from bridge.sending.services import SendingServices

__all__ = ["send_batch", "send_one"]

log = structlog.get_logger(__name__)


def _paused() -> SendHeldBack:
    """Why a paused practice's messages wait: a hold, so each waits in the plan and goes
    out once the practice is resumed (at most `holds.LONGEST_PAUSE` after the resume)."""
    return SendHeldBack("the practice is paused (oabridge practices resume)")


def send_one(sv: SendingServices, message_key: str) -> dict[str, Any]:
    """Deliver one message; an error is raised, for the job to be retried or failed. A
    hold is not an error: the message is planned again and the job completes."""
    try:
        if sv.paused():
            raise _paused()
        outcomes = Delivery(sv).deliver(message_key)
    except SendHeldBack as held:
        due = hold_back(sv, message_key, held)
        return {"message": message_key, "outcomes": ["held"],
                "due": None if due is None else due.isoformat()}
    return {"message": message_key, "outcomes": [o.status for o in outcomes]}


def send_batch(sv: SendingServices, message_keys: list[str]) -> dict[str, Any]:
    """Deliver many messages concurrently; each one that raises is queued on its own.
    A paused practice's batch holds them all (sends already begun finish)."""
    if sv.paused():
        return _hold_all(sv, message_keys)
    delivery = Delivery(sv)

    def one(key: str) -> list[Outcome] | Exception:
        with correlated(sv.plans.correlation(key)):  # threads do not inherit the job's
            try:
                return delivery.deliver(key)
            except SendHeldBack as held:  # not a failure: planned again, the job completes
                try:
                    hold_back(sv, key, held)
                except Exception as exc:  # could not plan it again: a retry job, as below
                    log.warning("send_failed_in_batch", message=key, error=type(exc).__name__)
                    return exc
                return held
            except Exception as exc:  # this message's failure, not the batch's
                log.warning("send_failed_in_batch", message=key, error=type(exc).__name__)
                return exc

    with sv.recovery.sharing_sent_log(), \
            ThreadPoolExecutor(max_workers=sv.concurrency, thread_name_prefix="send") as pool:
        results = list(pool.map(one, message_keys))
    held = [key for key, result in zip(message_keys, results, strict=True)
            if isinstance(result, SendHeldBack)]
    retry = [key for key, result in zip(message_keys, results, strict=True)
             if isinstance(result, Exception) and not isinstance(result, SendHeldBack)]
    for key in retry:
        sv.retry_later(key)
    if retry:
        log.warning("send_retry_queued", count=len(retry))
    statuses, errors = _tally(results)
    return {"messages": len(message_keys), "retrying": len(retry), "held": len(held),
            "outcomes": statuses,
            "errors": errors}


def _tally(results: list[list[Outcome] | Exception]) -> tuple[dict[str, int], dict[str, int]]:
    """The batch's outcomes by status (a hold is "held"), and its errors by type."""
    statuses: dict[str, int] = {}
    errors: dict[str, int] = {}
    for result in results:
        if isinstance(result, SendHeldBack):
            statuses["held"] = statuses.get("held", 0) + 1
            continue
        if isinstance(result, Exception):
            errors[type(result).__name__] = errors.get(type(result).__name__, 0) + 1
            continue
        for outcome in result:
            statuses[outcome.status] = statuses.get(outcome.status, 0) + 1
    return statuses, errors


def _hold_all(sv: SendingServices, message_keys: list[str]) -> dict[str, Any]:
    """A paused practice: every message of the batch back on the schedule, none sent."""
    held = _paused()
    for key in message_keys:
        hold_back(sv, key, held)
    log.info("send_paused", count=len(message_keys))
    return {"messages": len(message_keys), "retrying": 0, "held": len(message_keys),
            "outcomes": {"held": len(message_keys)}, "errors": {}}
