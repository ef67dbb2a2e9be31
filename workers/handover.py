"""Handing one claimed message to its provider and recording what came of it.

Shared by the planned messages (`workers.delivery`) and the answers to replies
(`workers.answers`): a transient failure releases the claim (nothing was sent, a
retry may send it) and raises; a permanent one is recorded and never retried; a
success is recorded with the provider's id, which status callbacks then find.
"""

from __future__ import annotations

from collections.abc import Callable

import structlog

from bridge.outbound.errors import PermanentSendError, TransientSendError
from workers.runtime import Runtime

__all__ = ["hand_over"]

log = structlog.get_logger(__name__)


def hand_over(rt: Runtime, message_id: str, send: Callable[[], str]) -> str:
    """Run `send` (which returns the provider's id) for a claimed message: sent | failed."""
    try:
        provider_id = send()
    except TransientSendError as exc:
        rt.claims.release(message_id)
        rt.messages.advance(message_id, "retrying", rt.clock.now(), code=exc.code,
                            detail=exc.reason)
        raise
    except PermanentSendError as exc:
        rt.claims.finish(message_id, "failed")
        rt.messages.advance(message_id, "failed", rt.clock.now(), code=exc.code,
                            detail=exc.reason)
        log.info("message_failed", message=message_id, code=exc.code)
        return "failed"
    rt.claims.finish(message_id, "sent")
    rt.messages.link_provider(message_id, provider_id)
    rt.messages.advance(message_id, "sent", rt.clock.now())
    return "sent"
