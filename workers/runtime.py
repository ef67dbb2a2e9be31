"""The worker process's composition root: what its jobs need, built once.

RQ calls job functions by dotted path with JSON arguments only, so the connections a
job uses cannot be passed in. A worker process builds one `Runtime` at start-up from
its one `Settings` (`Runtime.from_settings`) and `install`s it; tests install one with
their own clock and Redis. It builds each package's services once, as a field
(`sync`, `sending`, `replies`), with the settings values they need already parsed; a
job takes its bundle (`runtime.current().sending`). A job in a process without an installed
Runtime fails with `RuntimeNotInstalled`: it never reads the environment itself.
"""

from __future__ import annotations

import functools
import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import structlog
from redis import Redis

from bridge.booking import BookingClient
from bridge.clock import Clock, SystemClock
from bridge.outbound.contacts import ContactBook
from bridge.outbound.email import MailSender, SmtpTarget
from bridge.outbound.rate_limit import TokenBucket
from bridge.outbound.sms import SmsSender
from bridge.practices import DEFAULT_SLUG, Mode, PracticeRegistry, SecretBox
from bridge.queueing.enqueue import JobWriter
from bridge.queueing.jobs import JOBS
from bridge.queueing.rq_internals import job_pending
from bridge.rendering import Renderer
from bridge.replies.services import ReplyServices
from bridge.sending.facts import CatalogueCache
from bridge.sending.recovery import Recovery
from bridge.sending.services import SendingServices
from bridge.settings import Settings
from bridge.store.account_cache import AccountCache
from bridge.store.claims import Claims
from bridge.store.confirmation_codes import ConfirmationCodes
from bridge.store.connection import connect
from bridge.store.conversations import Conversations
from bridge.store.counters import Counters
from bridge.store.epoch import Epochs
from bridge.store.inbound import InboundStore
from bridge.store.inbound_window import InboundWindow
from bridge.store.inbox import Inbox
from bridge.store.message_log import MessageLog
from bridge.store.optouts import OptOuts
from bridge.store.periodic_claims import PeriodicClaims
from bridge.store.plan_store import PlanStore
from bridge.store.replication import Replication
from bridge.store.reply_effects import ReplyEffects
from bridge.store.skips import SkipLog
from bridge.store.sync_state import SyncState
from bridge.store.tombstones import Tombstones, derive_key
from bridge.sync.account import Account
from bridge.sync.services import SyncServices

__all__ = ["Runtime", "RuntimeNotInstalled", "current", "install", "renderer_for"]

log = structlog.get_logger(__name__)


@dataclass
class Runtime:
    settings: Settings
    redis: Redis
    booking: BookingClient
    plans: PlanStore
    writer: JobWriter
    clock: Clock
    contacts: ContactBook
    catalogue: CatalogueCache
    messages: MessageLog
    claims: Claims
    optouts: OptOuts
    sms_bucket: TokenBucket
    sms: SmsSender | None
    mail: MailSender | None
    renderer: Renderer
    inbound: InboundStore
    conversations: Conversations
    reply_effects: ReplyEffects
    codes: ConfirmationCodes
    counters: Counters
    account: AccountCache
    tombstones: Tombstones
    sync: SyncServices = field(init=False)
    sending: SendingServices = field(init=False)
    replies: ReplyServices = field(init=False)

    def __post_init__(self) -> None:
        self.sync = _sync_services(self)
        self.sending = _sending_services(self)
        self.replies = _reply_services(self)

    @classmethod
    def from_settings(cls, settings: Settings, clock: Clock | None = None) -> Runtime:
        the_clock = clock or SystemClock()
        redis = connect(settings.redis_target)
        booking = BookingClient(
            settings.api_url,
            settings.api_key,
            settings.api_secret.get_secret_value(),
            timeout=settings.api_timeout,
            clock=the_clock,
            connections=max(10, settings.send_concurrency),
        )
        retention = settings.retention_days * 86400
        tombstones = Tombstones(redis, derive_key(settings.erasure_secret), retention)
        return cls(
            settings=settings,
            redis=redis,
            booking=booking,
            plans=PlanStore(redis),
            writer=JobWriter(redis),
            clock=the_clock,
            contacts=ContactBook(
                redis, booking, tombstones=tombstones,
                ttl_seconds=min(settings.contact_cache_seconds, retention),
                language_field=settings.language_field,
                default_language=settings.default_language,
            ),
            catalogue=CatalogueCache(booking),
            messages=MessageLog(redis, retention),
            claims=Claims(redis, retention, Replication.of(settings.redis_target)),
            optouts=OptOuts(redis),
            sms_bucket=TokenBucket(redis, settings.sms_rate),
            sms=_sms_sender(settings),
            mail=_mail_sender(settings),
            renderer=renderer_for(settings),
            inbound=InboundStore(redis, retention),
            conversations=Conversations(redis, retention),
            reply_effects=ReplyEffects(redis, retention),
            codes=ConfirmationCodes(redis),
            counters=Counters(redis),
            account=AccountCache(redis),
            tombstones=tombstones,
        )

    def close(self) -> None:
        self.booking.close()
        self.redis.close()


def _sync_services(rt: Runtime) -> SyncServices:
    """The sync logic's services; its `Account` is this process's one."""
    settings = rt.settings
    account = Account(rt.account, rt.booking, rules=settings.plan_rules,
                      watched=settings.watched_agendas)
    return SyncServices(
        clock=rt.clock, booking=rt.booking, plans=rt.plans, account=account,
        state=SyncState(rt.redis), codes=rt.codes, contacts=rt.contacts,
        periodic_claims=PeriodicClaims(rt.redis), tz=settings.tz,
        reconcile_window_days=settings.reconcile_window_days, epochs=Epochs(rt.redis),
    )


def _sending_services(rt: Runtime) -> SendingServices:
    """The send logic's services: this process's stores and clients, settings parsed."""
    settings = rt.settings
    return SendingServices(
        clock=rt.clock, booking=rt.booking, plans=rt.plans,
        plan_settings=rt.sync.account.plan_settings,
        contacts=rt.contacts, catalogue=rt.catalogue, codes=rt.codes, messages=rt.messages,
        claims=rt.claims, optouts=rt.optouts, conversations=rt.conversations,
        skips=SkipLog(rt.redis), tombstones=rt.tombstones, renderer=rt.renderer, sms=rt.sms,
        sms_bucket=rt.sms_bucket,
        mail=rt.mail, policies=settings.channel_policies,
        status_callback=settings.public_url.rstrip("/") + "/twilio/status",
        practice_name=settings.practice_name, practice_phone=settings.practice_phone,
        sender_takes_replies=settings.sender_takes_replies,
        concurrency=settings.send_concurrency, retry_later=_retry_later(rt.writer),
        recovery=Recovery(epochs=Epochs(rt.redis), sms=rt.sms, clock=rt.clock,
                          lookback=timedelta(days=settings.retention_days), plans=rt.plans,
                          sync_state=SyncState(rt.redis), agendas=rt.sync.account.agendas),
        paused=_paused(rt.redis, settings),
    )


def _paused(redis: Redis, settings: Settings) -> Callable[[], bool]:
    """Whether practice `default` (this deployment's) is paused, asked of the registry."""
    registry = PracticeRegistry(redis, SecretBox(settings.secrets_key.get_secret_value()),
                                time.time)

    def paused() -> bool:
        return registry.get(DEFAULT_SLUG).mode is Mode.PAUSED

    return paused


def _retry_later(writer: JobWriter) -> Callable[[str], None]:
    """Queue one planned message as its own send job, which RQ retries (one job per
    message: queued twice, it is still one)."""
    def queue(message_key: str) -> None:
        job_id = "deliver-retry-" + hashlib.sha256(message_key.encode()).hexdigest()[:32]
        writer.enqueue(JOBS["deliver_message"], [message_key], job_id)

    return queue


def renderer_for(settings: Settings) -> Renderer:
    """The renderer a process sends with; files in the operator's folder that no message
    uses (e.g. a `reply_opted_out` from an earlier version) are logged, not refused."""
    renderer = Renderer(
        templates_dir=Path(settings.templates_dir) if settings.templates_dir else None,
        tz=settings.tz,
        default_language=settings.default_language,
    )
    for template in renderer.unused_templates():
        log.warning("template_not_used", template=template.path, why=template.why)
    return renderer


def _reply_services(rt: Runtime) -> ReplyServices:
    """The reply handling's services: this process's stores and clients, shared."""
    settings = rt.settings
    return ReplyServices(
        clock=rt.clock, booking=rt.booking, sending=rt.sending, plans=rt.plans,
        inbound=rt.inbound, conversations=rt.conversations, optouts=rt.optouts,
        inbox=Inbox(rt.redis, settings.retention_days * 86400),
        inbound_window=InboundWindow(rt.redis, settings.inbound_reconcile_interval,
                                     settings.retention_days * 86400),
        tombstones=rt.tombstones, reply_effects=rt.reply_effects, confirmation_codes=rt.codes,
        counters=rt.counters,
        periodic_claims=PeriodicClaims(rt.redis),
        contacts=rt.contacts, writer=rt.writer,
        job_pending=functools.partial(job_pending, rt.redis),
        plan_settings=rt.sync.account.plan_settings, agendas=rt.sync.account.agendas,
        practice_name=settings.practice_name, practice_phone=settings.practice_phone,
        default_language=settings.default_language,
        sender_takes_replies=settings.sender_takes_replies,
        reply_number=settings.twilio_from if settings.twilio_from.startswith("+") else None,
    )


def _sms_sender(settings: Settings) -> SmsSender | None:
    if not settings.twilio_account_sid:
        return None
    return SmsSender(
        settings.twilio_account_sid,
        settings.twilio_auth_token.get_secret_value(),
        sender=settings.twilio_from,
        messaging_service_sid=settings.twilio_messaging_service_sid,
        base_url=settings.twilio_base_url,
        connections=settings.send_concurrency,
    )


def _mail_sender(settings: Settings) -> MailSender | None:
    if not settings.smtp_url:
        return None
    return MailSender(SmtpTarget.from_url(settings.smtp_url), settings.mail_from)


_lock = threading.Lock()
_current: Runtime | None = None


def install(runtime: Runtime | None) -> None:
    """Make `runtime` the one jobs in this process use (None to forget it)."""
    global _current
    with _lock:
        _current = runtime


class RuntimeNotInstalled(RuntimeError):
    """A job ran in a process that installed no Runtime (see the module)."""


def current() -> Runtime:
    """The Runtime `install`ed in this process; raises `RuntimeNotInstalled` without."""
    with _lock:
        if _current is None:
            raise RuntimeNotInstalled(
                "no worker Runtime in this process: build one from the settings "
                "(Runtime.from_settings) and install it before running jobs")
        return _current
