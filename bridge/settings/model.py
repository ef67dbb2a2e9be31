"""The settings themselves: every field, its default, its check, and the typed values
parsed from it once (`bridge.settings` tells the whole story)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import cached_property
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cryptography.fernet import Fernet
from pydantic import Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bridge.domain.channels import ChannelPolicy, parse_channel_policy, same_channels
from bridge.domain.messages import MessageKind
from bridge.domain.offsets import parse_offsets
from bridge.domain.plan import PlanSettings
from bridge.domain.quiet_hours import parse_quiet_hours
from bridge.domain.sms_prices import DEFAULT_SMS_PRICES, SmsPrices, parse_sms_prices
from bridge.observability.masking import mask_url_password
from bridge.settings.redis_target import (
    DEFAULT_REPLICA_TIMEOUT_MS,
    MAX_REPLICA_TIMEOUT_MS,
    ConfiguredRedis,
    parse_master_name,
    parse_sentinels,
    refused_url_options,
)
from bridge.settings.webhook_secrets import WebhookKeys, parse_webhook_secrets

__all__ = ["ENV_PREFIX", "Settings", "SettingsError"]

ENV_PREFIX = "OABRIDGE_"


class SettingsError(ValueError):
    """The environment does not describe a valid configuration."""


#: The settings written in a small language of their own, each with its parser.
_PARSED: dict[str, Callable[[str], object]] = {
    "channels": parse_channel_policy,
    "reminder_offsets": parse_offsets,
    "redis_sentinels": parse_sentinels,
    "quiet_hours": parse_quiet_hours,
    "sms_prices": parse_sms_prices,
}


class Settings(BaseSettings):
    """All of the bridge's settings; see the README's configuration table."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, frozen=True, extra="forbid")

    api_url: str = Field(
        "https://agenda.onlineafspraken.nl/APIREST",
        description="The OnlineAfspraken REST endpoint.",
    )
    api_key: str = Field("", description="The account's API key.")
    api_secret: SecretStr = Field(SecretStr(""), description="The account's API secret.")
    api_timeout: float = Field(
        10.0, gt=0, le=120, description="Seconds before one booking-API call times out."
    )
    redis_url: str = Field(
        "redis://127.0.0.1:6379/0", description="Redis for queues, plans and message state "
        "(with Sentinels: its database, password and TLS; its host is not used)."
    )
    redis_sentinels: str = Field(
        "", description="Redis Sentinels to ask where the primary is: host:port,host:port "
        "(unset: the Redis of OABRIDGE_REDIS_URL)."
    )
    redis_sentinel_master: str = Field(
        "", validate_default=True,
        description="The master's name the Sentinels watch (set with OABRIDGE_REDIS_SENTINELS).",
    )
    redis_min_replicas: int = Field(
        0, ge=0, le=16,
        description="Replicas that must acknowledge a claim (WAIT) before a send and before "
        "the ingress accepts; 0: none asked.",
    )
    redis_replica_timeout_ms: int = Field(
        DEFAULT_REPLICA_TIMEOUT_MS, ge=1, le=MAX_REPLICA_TIMEOUT_MS,
        description="Milliseconds a claim waits for those replicas; not acknowledged in time, "
        "the send is retried later and the ingress answers 503.",
    )
    webhook_secret: SecretStr = Field(
        SecretStr(""),
        description="Standard Webhooks secret (whsec_…, at least 24 bytes) that change notices "
        "are signed with; while rotating, the new and the old: whsec_new,whsec_old.",
    )
    trigger_token: SecretStr = Field(
        SecretStr(""), description="Bearer token for POST /triggers/poll."
    )
    erasure_key: SecretStr = Field(
        SecretStr(""),
        description="Key of the erasure tombstones' keyed hashes; set once, never change it "
        "(unset: derived from the API secret).",
    )
    secrets_key: SecretStr = Field(
        SecretStr(""),
        description="Fernet key that practices' stored secrets are encrypted with; while "
        "rotating, the new and the old: new,old (`oabridge practices new-key`).",
    )
    admin_token: SecretStr = Field(
        SecretStr(""), description="Token for the operator page /admin (unset: page off)."
    )
    sandbox_mode: bool = Field(
        False, description="Local demo: the ingress may start without a webhook secret, and "
        "the sandbox's published demo credentials are allowed."
    )
    poll_interval: int = Field(60, ge=1, description="Seconds between polls of each agenda.")
    reconcile_interval: int = Field(
        3600, ge=1, description="Seconds between full reconciliations of the upcoming window."
    )
    reconcile_window_days: int = Field(
        60, ge=1, le=366, description="Days ahead that polls and reconciliations look at."
    )
    agenda_ids: str = Field(
        "", description="Comma-separated agenda ids to watch; empty: every agenda."
    )
    reminder_offsets: str = Field(
        "1d", description="Reminders before each appointment: d (wall-clock days), h, m, s."
    )
    quiet_hours: str = Field(
        "21:00-08:00", description="Local times when nothing is sent (HH:MM-HH:MM, or off)."
    )
    timezone: str = Field("Europe/Amsterdam", description="The practice's time zone.")
    notify_rescheduled: bool = Field(True, description="Send a notice when moved.")
    notify_cancelled: bool = Field(True, description="Send a notice when cancelled.")
    twilio_account_sid: str = Field("", description="Twilio account SID (AC…).")
    twilio_auth_token: SecretStr = Field(SecretStr(""), description="Twilio auth token.")
    twilio_from: str = Field(
        "", description="Sender: an E.164 number, or an alphanumeric sender ID (no replies)."
    )
    twilio_messaging_service_sid: str = Field(
        "", description="Send through this Messaging Service (MG…) instead of a number."
    )
    twilio_base_url: str = Field("", description="Unset: Twilio itself; else e.g. the sandbox.")
    sms_prices: str = Field(
        DEFAULT_SMS_PRICES,
        description="Price per SMS segment by country calling code, for the shadow report's "
        "estimate: 31=0.09,32=0.087 (the defaults are rough NL, BE, DE, FR, GB figures).",
    )
    sms_rate: float = Field(
        10.0, ge=0, allow_inf_nan=False,
        description="SMS per second across all workers (0: no limit).",
    )
    smtp_url: str = Field(
        "", description="smtp://user:pass@host:587?starttls=1 or smtps://…:465; unset: no e-mail."
    )
    mail_from: str = Field("", description="From address of e-mails.")
    public_url: str = Field(
        "http://127.0.0.1:8000",
        description="The ingress as the internet sees it, for Twilio callbacks and signatures.",
    )
    templates_dir: str = Field("", description="Your own templates; shipped ones fill gaps.")
    default_language: str = Field("nl", description="Language when a customer has none.")
    language_field: str = Field(
        "Taal", description="Customer extra field (Key) that holds nl or en."
    )
    channels: str = Field(
        "",
        description="Channel per kind, e.g. reminder:both,cancelled:email; "
        "sms | email | sms_or_email (default) | both.",
    )
    practice_name: str = Field("", description="Shown in messages; default: the agenda's name.")
    practice_phone: str = Field("", description="Shown in messages: how to reach the practice.")
    send_concurrency: int = Field(
        16, ge=1, le=256, description="Messages one worker sends at the same time."
    )
    inbound_reconcile_interval: int = Field(
        300, ge=1, description="Seconds between checks of Twilio for replies the bridge missed."
    )
    retention_days: int = Field(
        90, ge=1, le=3650, description="Days messages, conversations and contacts are kept."
    )
    contact_cache_seconds: int = Field(
        86400, ge=0, description="How long a customer's contact details are cached."
    )

    @field_validator("api_url", "public_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise ValueError("must be an http:// or https:// URL")
        return value

    @field_validator("twilio_base_url")
    @classmethod
    def _optional_http_url(cls, value: str) -> str:
        return cls._http_url(value) if value else value

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: str) -> str:
        if urlsplit(value).scheme not in {"redis", "rediss", "unix"}:
            raise ValueError("must be a redis://, rediss:// or unix:// URL")
        refused = refused_url_options(value)
        if refused:
            raise ValueError(f"must not set {' or '.join(refused)}: the bridge sets its own "
                             "Redis timeouts (remove it from the URL's query)")
        return value

    @field_validator("redis_sentinels")
    @classmethod
    def _sentinels(cls, value: str, info: ValidationInfo) -> str:
        if parse_sentinels(value) and urlsplit(str(info.data.get("redis_url", ""))).scheme \
                == "unix":
            raise ValueError("needs a redis:// or rediss:// OABRIDGE_REDIS_URL, not unix://")
        return value

    @field_validator("redis_sentinel_master")
    @classmethod
    def _sentinel_master(cls, value: str, info: ValidationInfo) -> str:
        """Set together with the Sentinels, or not at all (checked after them)."""
        name = parse_master_name(value)
        sentinels = info.data.get("redis_sentinels")
        if sentinels is None:  # refused itself: that error is the one to read
            return name
        if parse_sentinels(sentinels) and not name:
            raise ValueError("required when OABRIDGE_REDIS_SENTINELS is set")
        if name and not parse_sentinels(sentinels):
            raise ValueError("set without OABRIDGE_REDIS_SENTINELS: name the Sentinels too, "
                             "or unset it")
        return name

    @field_validator("webhook_secret")
    @classmethod
    def _webhook_secret(cls, value: SecretStr) -> SecretStr:
        """One secret, or two while rotating (`whsec_new,whsec_old`), each long enough."""
        parse_webhook_secrets(value.get_secret_value())
        return value

    @field_validator("twilio_from")
    @classmethod
    def _sender(cls, value: str) -> str:
        text = value.strip()
        if text and not (text.startswith("+") and text[1:].isdigit()) and not (
            1 <= len(text) <= 11 and text.replace(" ", "").isalnum() and not text.isdigit()
        ):
            raise ValueError("must be an E.164 number (+31…) or an alphanumeric sender ID "
                             "of at most 11 characters")
        return text

    @field_validator("secrets_key")
    @classmethod
    def _secrets_key(cls, value: SecretStr) -> SecretStr:
        """Each key a Fernet key: a typo is found at start-up, not when a secret is read."""
        for position, part in enumerate(value.get_secret_value().split(","), start=1):
            if not part.strip():
                continue
            try:
                Fernet(part.strip())
            except ValueError:
                raise ValueError(f"key {position} is not a Fernet key (32 url-safe "
                                 "base64-encoded bytes)") from None
        return value

    @field_validator("smtp_url")
    @classmethod
    def _smtp(cls, value: str) -> str:
        if value and urlsplit(value).scheme not in {"smtp", "smtps"}:
            raise ValueError("must be an smtp:// or smtps:// URL")
        return value

    @field_validator(*_PARSED)
    @classmethod
    def _parses(cls, value: str, info: ValidationInfo) -> str:
        """A rule written as text is parsed once here to refuse a bad one at start-up;
        the typed value is parsed again, once, where it is used (cached below)."""
        _PARSED[str(info.field_name)](value)
        return value

    @field_validator("default_language")
    @classmethod
    def _language(cls, value: str) -> str:
        if value not in {"nl", "en"}:
            raise ValueError("must be nl or en")
        return value

    @property
    def sender_takes_replies(self) -> bool:
        """An alphanumeric sender ID cannot receive replies; a number or service can."""
        return bool(self.twilio_messaging_service_sid) or self.twilio_from.startswith("+")

    @field_validator("agenda_ids")
    @classmethod
    def _agenda_ids(cls, value: str) -> str:
        for part in (p.strip() for p in value.split(",")):
            # What `watched_agendas` reads: ASCII digits ("²".isdigit() is true, but
            # int("²") fails), at most 18 of them (an id; int() refuses thousands).
            if part and not (part.isascii() and part.isdigit() and len(part) <= 18):
                raise ValueError(f"{part[:20]!r} is not an agenda id")
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            # OSError: a name that is a directory of the zone database ("America"),
            # or too long for a file name; neither is a zone.
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    # The typed values below are parsed once, on first use, from fields already checked.

    @cached_property
    def sms_price_list(self) -> SmsPrices:
        return parse_sms_prices(self.sms_prices)

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @cached_property
    def redis_target(self) -> ConfiguredRedis:
        """The Redis to connect to (`bridge.store.connection`) and its replicas' rule."""
        return ConfiguredRedis(
            url=self.redis_url, sentinels=parse_sentinels(self.redis_sentinels),
            sentinel_master=self.redis_sentinel_master,
            min_replicas=self.redis_min_replicas,
            replica_timeout_ms=self.redis_replica_timeout_ms,
        )

    @cached_property
    def webhook_secrets(self) -> tuple[str, ...]:
        """The secrets notices may be signed with, the current one first (none: unset)."""
        return parse_webhook_secrets(self.webhook_secret.get_secret_value())

    @cached_property
    def webhook_keys(self) -> WebhookKeys | None:
        """What the ingress verifies notices with; None when no secret is set."""
        return WebhookKeys(self.webhook_secrets) if self.webhook_secrets else None

    @cached_property
    def erasure_secret(self) -> str:
        """What the tombstones' key is derived from: its own key, else the API secret."""
        own = self.erasure_key.get_secret_value()
        return own or self.api_secret.get_secret_value()

    @cached_property
    def watched_agendas(self) -> tuple[int, ...]:
        """The configured agenda ids; empty means every agenda of the account."""
        return tuple(int(p) for p in self.agenda_ids.split(",") if p.strip())

    @cached_property
    def channel_policies(self) -> dict[MessageKind, ChannelPolicy]:
        """`OABRIDGE_CHANNELS` per message kind (kinds it leaves out use the default)."""
        return parse_channel_policy(self.channels)

    @cached_property
    def plan_rules(self) -> PlanSettings:
        """The message rules, as if the account asked for no confirmation."""
        return PlanSettings(
            reminder_offsets=parse_offsets(self.reminder_offsets),
            quiet_hours=parse_quiet_hours(self.quiet_hours),
            tz=self.tz,
            requires_confirmation=False,
            notify_rescheduled=self.notify_rescheduled,
            notify_cancelled=self.notify_cancelled,
            ask_in_rescheduled=same_channels(self.channel_policies,
                                             MessageKind.RESCHEDULED, MessageKind.CONFIRM_REQUEST),
        )

    def plan_settings(self, requires_confirmation: bool) -> PlanSettings:
        """The message rules for the domain, with the account's confirmation setting."""
        return replace(self.plan_rules, requires_confirmation=requires_confirmation)

    @classmethod
    def env_name(cls, field_name: str) -> str:
        return ENV_PREFIX + field_name.upper()

    def describe(self) -> list[tuple[str, str]]:
        """Each setting's variable and effective value, secrets masked, for display."""
        rows = []
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, SecretStr):
                shown = "****" if value.get_secret_value() else "(unset)"
            else:
                shown = mask_url_password(str(value))
            rows.append((self.env_name(name), shown))
        return rows
