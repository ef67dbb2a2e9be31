"""The reply jobs, at the dotted paths RQ stores (`workers.replies.handle_reply`,
`workers.replies.reconcile_inbound`); the work is in `bridge.replies`."""

from __future__ import annotations

from typing import Any

from bridge.replies.handling import handle
from bridge.replies.reconcile import reconcile
from workers import runtime
from workers.tracing import traced

__all__ = ["handle_reply", "reconcile_inbound"]


@traced
def handle_reply(message_sid: str) -> dict[str, Any]:
    """Understand a customer's reply, act on it upstream, answer it once."""
    return handle(runtime.current().replies, message_sid)


@traced
def reconcile_inbound() -> dict[str, Any]:
    """Replies Twilio received that the bridge never heard of (ingress or Redis down)."""
    return reconcile(runtime.current().replies)
