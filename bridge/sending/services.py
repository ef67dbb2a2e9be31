"""`SendingServices`: everything the send logic needs, built once per worker process.

Typed values only (stores, clients, the clock, settings already parsed), never the
whole `Settings` nor Redis itself: a job's dependencies are visible in one place, and
a test builds them from its own parts (`workers.runtime` builds them in production).
What involves the account or the queues is passed as a callable, so this package
waits on neither.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from bridge.booking import BookingClient
from bridge.clock import Clock
from bridge.domain.channels import ChannelPolicy
from bridge.domain.messages import MessageKind
from bridge.domain.plan import PlanSettings
from bridge.outbound.contacts import ContactBook
from bridge.outbound.email import MailSender
from bridge.outbound.rate_limit import TokenBucket
from bridge.outbound.sms import SmsSender
from bridge.rendering import Renderer
from bridge.sending.facts import CatalogueCache
from bridge.sending.recovery import Recovery
from bridge.store.claims import Claims
from bridge.store.confirmation_codes import ConfirmationCodes
from bridge.store.conversations import Conversations
from bridge.store.message_log import MessageLog
from bridge.store.optouts import OptOuts
from bridge.store.plan_store import PlanStore
from bridge.store.skips import SkipLog
from bridge.store.tombstones import Tombstones

__all__ = ["SendingServices"]


@dataclass(frozen=True, slots=True, kw_only=True)
class SendingServices:
    clock: Clock
    booking: BookingClient
    plans: PlanStore
    plan_settings: Callable[[], PlanSettings]
    """The message rules with the account's confirmation setting (asked rarely)."""
    contacts: ContactBook
    catalogue: CatalogueCache
    codes: ConfirmationCodes
    messages: MessageLog
    claims: Claims
    optouts: OptOuts
    conversations: Conversations
    skips: SkipLog
    tombstones: Tombstones
    """Erased people: nothing is sent to them (`bridge.sending.erased`)."""
    renderer: Renderer
    sms: SmsSender | None
    sms_bucket: TokenBucket
    mail: MailSender | None
    policies: Mapping[MessageKind, ChannelPolicy]
    """`OABRIDGE_CHANNELS`, parsed; a kind not named goes `sms_or_email`."""
    status_callback: str
    """Where Twilio reports an SMS's status: the public URL's `/twilio/status`."""
    practice_name: str
    """`OABRIDGE_PRACTICE_NAME`; empty: the agenda's name."""
    practice_phone: str
    sender_takes_replies: bool
    """The SMS sender is a number or messaging service, which customers can answer."""
    concurrency: int
    """How many messages of a batch are sent at once (`OABRIDGE_SEND_CONCURRENCY`)."""
    retry_later: Callable[[str], None]
    """Queue one planned message (by key) to be sent again on its own, with retries."""
    recovery: Recovery
    """The epoch, read before each send: after Redis forgot, ask before repeating."""
    paused: Callable[[], bool]
    """Whether the practice is paused (`oabridge practices pause`), asked once a job:
    nothing is handed to a provider, and due messages wait in the plan."""
