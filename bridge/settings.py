"""The bridge's configuration: read once from the environment, at the edge.

Every setting is an environment variable with the prefix `OABRIDGE_` (the names are
public: deploy files and users rely on them). `load_settings` returns one frozen,
typed `Settings` object that is passed down; nothing else reads `os.environ`.
A bad value, or an `OABRIDGE_` variable that no setting has (a typo), stops start-up
with one line naming the variable.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["ENV_PREFIX", "Settings", "SettingsError", "load_settings"]

ENV_PREFIX = "OABRIDGE_"


class SettingsError(ValueError):
    """The environment does not describe a valid configuration."""


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
        "redis://127.0.0.1:6379/0", description="Redis for queues, plans and message state."
    )

    @field_validator("api_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise ValueError("must be an http:// or https:// URL")
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: str) -> str:
        if urlsplit(value).scheme not in {"redis", "rediss", "unix"}:
            raise ValueError("must be a redis://, rediss:// or unix:// URL")
        return value

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
                shown = _mask_url_password(str(value))
            rows.append((self.env_name(name), shown))
        return rows


def _mask_url_password(value: str) -> str:
    parts = urlsplit(value)
    if parts.password:
        return value.replace(f":{parts.password}@", ":****@", 1)
    return value


def _unknown_names(environ: Mapping[str, str]) -> list[str]:
    known = {Settings.env_name(name) for name in Settings.model_fields}
    problems = []
    for key in sorted(environ):
        upper = key.upper()
        if upper.startswith(ENV_PREFIX) and upper not in known:
            close = difflib.get_close_matches(upper, sorted(known), n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            problems.append(f"{key}: no such setting{hint}")
    return problems


def _describe_errors(error: ValidationError) -> list[str]:
    lines = []
    for item in error.errors():
        name = Settings.env_name(str(item["loc"][0])) if item["loc"] else "settings"
        lines.append(f"{name}: {item['msg']}")
    return lines


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read and validate the settings; raise `SettingsError` with one clear line."""
    env = os.environ if environ is None else environ
    problems = _unknown_names(env)
    values = {
        name: env[key]
        for name in Settings.model_fields
        for key in (Settings.env_name(name),)
        if key in env
    }
    if not problems:
        try:
            return Settings.model_validate(values)
        except ValidationError as exc:
            problems = _describe_errors(exc)
    raise SettingsError("invalid configuration: " + "; ".join(problems))
