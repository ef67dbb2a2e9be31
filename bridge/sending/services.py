"""`SendingServices`: everything the send logic needs, built once per worker process.

Typed values only (stores, clients, the clock, settings already parsed), never the
whole `Settings` nor Redis itself: a job's dependencies are visible in one place, and
a test builds them from its own parts (`workers.runtime` builds them in production).
"""

from __future__ import annotations

from dataclasses import dataclass

from bridge.clock import Clock
from bridge.outbound.email import MailSender
from bridge.outbound.sms import SmsSender
from bridge.rendering import Renderer
from bridge.sending.facts import CatalogueCache
from bridge.store.claims import Claims
from bridge.store.message_log import MessageLog
from bridge.store.optouts import OptOuts

__all__ = ["SendingServices"]


@dataclass(frozen=True, slots=True, kw_only=True)
class SendingServices:
    clock: Clock
    messages: MessageLog
    claims: Claims
    optouts: OptOuts
    renderer: Renderer
    catalogue: CatalogueCache
    sms: SmsSender | None
    mail: MailSender | None
    status_callback: str
    """Where Twilio reports an SMS's status: the public URL's `/twilio/status`."""
