"""`ReplyServices`: everything reply handling needs, built once per worker process.

Typed values only (stores, clients, the clock, settings already parsed), never the
whole `Settings` nor Redis itself: a job's dependencies are visible in one place, and
a test builds them from its own parts (`workers.runtime` builds them in production).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bridge.booking import BookingClient
from bridge.clock import Clock
from bridge.domain.plan import PlanSettings
from bridge.outbound.contacts import ContactBook
from bridge.queueing.enqueue import JobWriter
from bridge.sending.services import SendingServices
from bridge.store.confirmation_codes import ConfirmationCodes
from bridge.store.conversations import Conversations
from bridge.store.counters import Counters
from bridge.store.inbound import InboundStore
from bridge.store.inbound_window import InboundWindow
from bridge.store.inbox import Inbox
from bridge.store.optouts import OptOuts
from bridge.store.periodic_claims import PeriodicClaims
from bridge.store.plan_store import PlanStore
from bridge.store.reply_effects import ReplyEffects
from bridge.store.tombstones import Tombstones

__all__ = ["ReplyServices"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ReplyServices:
    clock: Clock
    booking: BookingClient
    sending: SendingServices
    """How an answer goes out: once, logged, like every message (`send_answer`)."""
    plans: PlanStore
    inbound: InboundStore
    inbound_window: InboundWindow
    """Which of Twilio's inbound messages a reconciliation reads."""
    tombstones: Tombstones
    """Erased people: never recorded, handled or answered again."""
    conversations: Conversations
    inbox: Inbox
    """Free-text replies, for a person at the practice's desk to read."""
    optouts: OptOuts
    reply_effects: ReplyEffects
    confirmation_codes: ConfirmationCodes
    counters: Counters
    periodic_claims: PeriodicClaims
    contacts: ContactBook
    writer: JobWriter
    job_pending: Callable[[str], bool]
    """Whether RQ still holds the job with this id to run."""
    plan_settings: Callable[[], PlanSettings]
    agendas: Callable[[], tuple[int, ...]]
    practice_name: str
    """The name answers use; "" for the agenda's name."""
    practice_phone: str
    default_language: str
    sender_takes_replies: bool
    reply_number: str | None
    """The phone number replies arrive at, to scan Twilio for missed ones; None when
    the sender is a name (nobody can reply to it) or not configured."""
