"""The send jobs, at the dotted paths RQ stores: a batch of due messages, and one
message on its own (a retry). The logic is `bridge.sending.batch`.

A send the bridge holds back itself (`SendHeldBack`) does not raise out of either job:
the message is planned again (`bridge.sending.holds`) and the job completes, so a hold
longer than RQ's retries never ends in the failed registry."""

from __future__ import annotations

from typing import Any

from bridge.sending.batch import send_batch, send_one
from workers import runtime
from workers.tracing import traced

__all__ = ["deliver_batch", "deliver_message"]


@traced
def deliver_message(message_key: str) -> dict[str, Any]:
    """Deliver one message; a transient failure raises, so RQ retries it (a hold does
    not: the message is planned again)."""
    return send_one(runtime.current().sending, message_key)


@traced
def deliver_batch(message_keys: list[str]) -> dict[str, Any]:
    """Deliver many messages concurrently; failures are queued one by one."""
    return send_batch(runtime.current().sending, message_keys)
