"""What a job needs to run: settings, Redis, the booking client, the plan store, a clock.

RQ calls job functions by dotted path with JSON arguments only, so the connections a
job uses cannot be passed in. A worker process builds one `Runtime` at start-up
(`install`) from its settings; tests install one with their own clock and Redis.
A job in a process without one builds it from the environment on first use.
"""

from __future__ import annotations

import functools
import json
import threading
import time
from dataclasses import dataclass, field

from redis import Redis

from bridge.booking import BookingClient
from bridge.clock import Clock, SystemClock
from bridge.domain.plan import PlanSettings
from bridge.outbound.contacts import ContactBook
from bridge.outbound.email import MailSender, SmtpTarget
from bridge.outbound.rate_limit import TokenBucket
from bridge.outbound.sms import SmsSender
from bridge.queueing.enqueue import JobWriter
from bridge.queueing.rq_internals import job_pending
from bridge.rendering import Renderer
from bridge.replies.services import ReplyServices
from bridge.sending.facts import CatalogueCache
from bridge.sending.services import SendingServices
from bridge.settings import Settings, load_settings
from bridge.store import keys
from bridge.store.claims import Claims
from bridge.store.confirmation_codes import ConfirmationCodes
from bridge.store.conversations import Conversations
from bridge.store.counters import Counters
from bridge.store.inbound import InboundStore
from bridge.store.message_log import MessageLog
from bridge.store.optouts import OptOuts
from bridge.store.periodic_claims import PeriodicClaims
from bridge.store.plan_store import PlanStore
from bridge.store.reply_effects import ReplyEffects
from bridge.store.text import as_text
from workers.rendering import Render, render_with, renderer_for

__all__ = ["Runtime", "current", "install"]

AGENDA_CACHE_SECONDS = 3600


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
    render: Render
    inbound: InboundStore
    conversations: Conversations
    reply_effects: ReplyEffects
    sending: SendingServices
    _confirmation: tuple[float, bool] | None = None
    replies: ReplyServices = field(init=False)

    def __post_init__(self) -> None:
        self.replies = _reply_services(self)

    @classmethod
    def from_settings(cls, settings: Settings, clock: Clock | None = None) -> Runtime:
        the_clock = clock or SystemClock()
        redis = Redis.from_url(settings.redis_url, socket_timeout=10, socket_connect_timeout=5)
        booking = BookingClient(
            settings.api_url,
            settings.api_key,
            settings.api_secret.get_secret_value(),
            timeout=settings.api_timeout,
            clock=the_clock,
            connections=max(10, settings.send_concurrency),
        )
        retention = settings.retention_days * 86400
        renderer = renderer_for(settings)
        catalogue = CatalogueCache(booking)
        messages = MessageLog(redis, retention)
        claims = Claims(redis, retention)
        optouts = OptOuts(redis)
        sms, mail = _sms_sender(settings), _mail_sender(settings)
        sending = SendingServices(
            clock=the_clock, messages=messages, claims=claims, optouts=optouts,
            renderer=renderer, catalogue=catalogue, sms=sms, mail=mail,
            status_callback=settings.public_url.rstrip("/") + "/twilio/status",
        )
        return cls(
            settings=settings,
            redis=redis,
            booking=booking,
            plans=PlanStore(redis),
            writer=JobWriter(redis),
            clock=the_clock,
            contacts=ContactBook(
                redis, booking, ttl_seconds=min(settings.contact_cache_seconds, retention),
                language_field=settings.language_field,
                default_language=settings.default_language,
            ),
            catalogue=catalogue,
            messages=messages,
            claims=claims,
            optouts=optouts,
            sms_bucket=TokenBucket(redis, settings.sms_rate),
            sms=sms,
            mail=mail,
            renderer=renderer,
            render=render_with(renderer),
            inbound=InboundStore(redis, retention),
            conversations=Conversations(redis, retention),
            reply_effects=ReplyEffects(redis, retention),
            sending=sending,
        )

    def confirmation_code(self, appointment_id: int) -> str | None:
        """A confirmation code an upstream notice supplied, if any."""
        raw = self.redis.get(keys.confirmation_code(appointment_id))
        return None if raw is None else as_text(raw)

    def requires_confirmation(self) -> bool:
        """The account's `requiresConfirmation`, asked once an hour at most (and kept in
        this process for a minute, since every planned message needs it)."""
        now = time.monotonic()
        if self._confirmation is not None and now - self._confirmation[0] < 60:
            return self._confirmation[1]
        cached = self.redis.get(keys.REQUIRES_CONFIRMATION)
        if cached is not None:
            required = cached == b"1"
        else:
            required = self.booking.requires_confirmation()
            self.redis.set(keys.REQUIRES_CONFIRMATION, "1" if required else "0",
                           ex=keys.REQUIRES_CONFIRMATION_SECONDS)
        self._confirmation = (now, required)
        return required

    def plan_settings(self) -> PlanSettings:
        return self.settings.plan_settings(self.requires_confirmation())

    def agendas(self) -> tuple[int, ...]:
        """The agendas to watch: from settings, else every agenda (asked once an hour)."""
        if self.settings.watched_agendas:
            return self.settings.watched_agendas
        cached = self.redis.get(keys.AGENDAS)
        if cached is not None:
            return tuple(int(i) for i in json.loads(cached))
        ids = tuple(agenda.id for agenda in self.booking.get_agendas())
        self.redis.set(keys.AGENDAS, json.dumps(ids), ex=AGENDA_CACHE_SECONDS)
        return ids

    def close(self) -> None:
        self.booking.close()
        self.redis.close()


def _reply_services(rt: Runtime) -> ReplyServices:
    """The reply handling's services: this process's stores and clients, shared."""
    settings = rt.settings
    return ReplyServices(
        clock=rt.clock, booking=rt.booking, sending=rt.sending, plans=rt.plans,
        inbound=rt.inbound, conversations=rt.conversations, optouts=rt.optouts,
        reply_effects=rt.reply_effects, confirmation_codes=ConfirmationCodes(rt.redis),
        counters=Counters(rt.redis), periodic_claims=PeriodicClaims(rt.redis),
        contacts=rt.contacts, writer=rt.writer,
        job_pending=functools.partial(job_pending, rt.redis),
        plan_settings=rt.plan_settings, agendas=rt.agendas,
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


def current() -> Runtime:
    global _current
    with _lock:
        if _current is None:
            _current = Runtime.from_settings(load_settings())
        return _current
