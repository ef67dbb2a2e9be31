"""One practice as the registry holds it, and the settings it runs with.

A practice stores only what it sets differently from the deployment (`overrides`, by
`Settings` field); everything else falls back to the deployment's `OABRIDGE_*` setting,
so a deployment configured by environment alone is practice `default`, unchanged. Its
effective settings are the deployment's validated again with its overrides on top
(`settings_for`): one typed `Settings` per practice, checked by the same rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from pydantic import ValidationError

from bridge.practices.errors import PracticeError
from bridge.practices.secret_box import SecretBox
from bridge.settings import Settings
from bridge.settings.loading import describe_errors

__all__ = ["DEFAULT_SLUG", "OVERRIDABLE", "SECRET_FIELDS", "Mode", "Practice", "check_slug",
           "settings_for"]

#: The practice a deployment configured by environment alone is.
DEFAULT_SLUG = "default"
_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")

#: What a practice may set, by its command-line flag: the `Settings` field it overrides.
OVERRIDABLE: dict[str, str] = {
    "api-key": "api_key",
    "api-secret": "api_secret",
    "agenda-ids": "agenda_ids",
    "sender": "twilio_from",
    "messaging-service": "twilio_messaging_service_sid",
    "twilio-account-sid": "twilio_account_sid",
    "twilio-auth-token": "twilio_auth_token",
    "language": "default_language",
    "timezone": "timezone",
    "templates": "templates_dir",
    "name": "practice_name",
    "phone": "practice_phone",
}
#: Stored only encrypted (`SecretBox`), shown only masked.
SECRET_FIELDS = frozenset({"api_secret", "twilio_auth_token"})
#: A practice's sender is a number or a Messaging Service: setting one clears the other,
#: so the deployment's does not win over the practice's.
_EITHER_SENDER = {"twilio_from": "twilio_messaging_service_sid",
                  "twilio_messaging_service_sid": "twilio_from"}
_FLAG_OF = {name: flag for flag, name in OVERRIDABLE.items()}


class Mode(Enum):
    """Shadow: plans and logs "would send", sends nothing. Live: sends. Paused: the
    kill switch, nothing is sent from that moment."""

    SHADOW = "shadow"
    LIVE = "live"
    PAUSED = "paused"


@dataclass(frozen=True)
class Practice:
    slug: str
    mode: Mode
    mode_since: float
    """When it took its mode (epoch seconds): go-live and resume count from it."""
    overrides: dict[str, str] = field(default_factory=dict)
    """`Settings` field -> value; a secret field's value is its sealed token."""

    def with_overrides(self, changes: dict[str, str], box: SecretBox) -> Practice:
        """These settings changed (plain values; secrets are sealed here). An empty
        value falls back to the deployment's setting again."""
        merged = dict(self.overrides)
        for name, value in changes.items():
            if name not in _FLAG_OF:
                raise PracticeError(f"{name!r} is not a practice setting")
            if value == "":
                merged.pop(name, None)
                continue
            merged[name] = box.seal(value) if name in SECRET_FIELDS else value
            if name in _EITHER_SENDER:
                merged[_EITHER_SENDER[name]] = ""
        return Practice(self.slug, self.mode, self.mode_since, merged)

    def shown(self) -> dict[str, str]:
        """Its settings by flag, secrets masked: for `practices show` and the admin API."""
        return {_FLAG_OF[name]: _shown(name, value)
                for name, value in sorted(self.overrides.items())}


def _shown(name: str, value: str) -> str:
    if not value:
        return "(none: cleared by the other sender)"
    return "********" if name in SECRET_FIELDS else value


def check_slug(slug: str) -> str:
    if not _SLUG.match(slug):
        raise PracticeError(f"practice slug {slug[:60]!r}: use 1-40 lower-case letters, "
                            "digits and hyphens, starting and ending with a letter or digit")
    return slug


def settings_for(base: Settings, practice: Practice, box: SecretBox) -> Settings:
    """The practice's effective settings: the deployment's, its overrides on top, all
    checked again (a bad override is named by its flag)."""
    values: dict[str, Any] = base.model_dump()
    for name, value in practice.overrides.items():
        values[name] = box.open(value) if name in SECRET_FIELDS and value else value
    try:
        return Settings.model_validate(values)
    except ValidationError as exc:
        problems = describe_errors(exc, _flag_or_variable)
        raise PracticeError(f"practice {practice.slug}: " + "; ".join(problems)) from None


def _flag_or_variable(name: str) -> str:
    return f"--{_FLAG_OF[name]}" if name in _FLAG_OF else Settings.env_name(name)
