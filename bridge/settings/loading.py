"""Reading the settings from the environment: one clear line for every problem.

A process (`oabridge serve`, `oabridge worker`) loads with `load_startup_settings`,
which also refuses guessable secrets (`bridge.settings.secret_checks`); a placeholder
copied from the secret template is refused by every command.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable, Mapping

from pydantic import ValidationError

from bridge.settings.model import ENV_PREFIX, Settings, SettingsError
from bridge.settings.secret_checks import Process, check_startup, placeholder_refusal

__all__ = ["describe_errors", "load_settings", "load_startup_settings"]


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


def describe_errors(error: ValidationError,
                    name_of: Callable[[str], str] = Settings.env_name) -> list[str]:
    """One line per problem, named by `name_of(field)` (the variable; a practice's flag)."""
    lines = []
    for item in error.errors():
        name = name_of(str(item["loc"][0])) if item["loc"] else "settings"
        message = str(item["msg"]).removeprefix("Value error, ")
        lines.append(f"{name}: {message}")
    return lines


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read and validate the settings; raise `SettingsError` with one clear line."""
    env = os.environ if environ is None else environ
    placeholders = placeholder_refusal(env)
    if placeholders is not None:
        raise SettingsError("invalid configuration: " + placeholders)
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
            problems = describe_errors(exc)
    raise SettingsError("invalid configuration: " + "; ".join(problems))


def load_startup_settings(
    process: Process | None, environ: Mapping[str, str] | None = None
) -> Settings:
    """The settings a process starts with: `load_settings`, then what `process` (None:
    every process) must refuse; `SettingsError` with one line naming each variable."""
    settings = load_settings(environ)
    check_startup(settings, process)
    return settings
