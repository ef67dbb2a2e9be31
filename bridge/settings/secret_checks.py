"""Secrets a process may run with: a guessable one stops it at start-up, in one line.

With the template's `CHANGE_ME` as the trigger token, the Twilio auth token and the
operator token, a forged poll trigger, a forged reply and an operator login were all
accepted. So, each refusal naming the variable:

- a value holding the secret template's placeholder (`CHANGE_ME`, however written) is
  refused by `load_settings`, for every command, before any value is parsed: every
  placeholder is named at once, even in a value that would not parse (a Redis URL). The
  template's `KEDA_` variables reach the pods through the same Secret, so a placeholder
  left there stops them too (KEDA would otherwise fail to scale, silently);
- `startup_problems`, pure over the `Settings`, is what the processes refuse besides
  (`oabridge serve`, `oabridge worker`, and `oabridge config`, which reports what every
  process would refuse): the production overlay's example public address, tokens
  shorter than `MIN_TOKEN_LENGTH`, the sandbox's public demo credentials outside
  sandbox mode (`bridge.settings.demo_credentials`), and an empty secret that the
  process or the rest of the configuration needs (the erasure tombstones' key among
  them: with neither `OABRIDGE_ERASURE_KEY` nor `OABRIDGE_API_SECRET` it would be a
  public constant, and an ingress keyed apart from the workers would not see their
  tombstones).

A webhook secret's strength is the model's own check (`bridge.settings.model`). Settings
built in code (tests, benchmarks) are not checked here: only processes are.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Literal
from urllib.parse import urlsplit

from bridge.settings.demo_credentials import is_demo_credential
from bridge.settings.model import ENV_PREFIX, Settings, SettingsError

__all__ = ["MIN_TOKEN_LENGTH", "Process", "check_startup", "placeholder_refusal",
           "startup_problems"]

#: The secret template's placeholder (deploy/base/secret-template.env), in any case,
#: with or without its underscore, not inside a word ("Exchange Medical" is a name).
PLACEHOLDER = re.compile(r"(?<![a-z])change[-_ ]?me(?![a-z])", re.IGNORECASE)
#: The production overlay's example public address (deploy/overlays/production/config.env).
EXAMPLE_PUBLIC_HOST = "oabridge.example.com"
#: The fewest characters of a token someone could otherwise try to guess online.
MIN_TOKEN_LENGTH = 16

#: A long-running process; None (in `startup_problems`) asks what every process refuses.
Process = Literal["serve", "worker"]

#: Secrets a caller presents, or signs with: the set ones must be long.
_TOKENS = ("trigger_token", "admin_token", "twilio_auth_token", "api_secret",
           "erasure_key")
#: Settings that may hold a published demo credential.
_CREDENTIALS = ("api_key", "api_secret", "twilio_account_sid", "twilio_auth_token",
                "trigger_token", "admin_token")
_SANDBOX_ONLY = "allowed only with OABRIDGE_SANDBOX_MODE=1, for a local demo"


#: The prefixes of the variables in the Secret template (deploy/base/secret-template.env).
TEMPLATE_PREFIXES = (ENV_PREFIX, "KEDA_")


def placeholder_refusal(environ: Mapping[str, str]) -> str | None:
    """The one line refusing every template variable that holds the placeholder."""
    names = [key for key in sorted(environ)
             if key.upper().startswith(TEMPLATE_PREFIXES) and PLACEHOLDER.search(environ[key])]
    if not names:
        return None
    if len(names) == 1:
        return f"{names[0]} is the placeholder CHANGE_ME; set a real secret"
    return f"{', '.join(names)} are the placeholder CHANGE_ME; set real secrets"


def startup_problems(settings: Settings, process: Process | None) -> list[str]:
    """What `process` must refuse to start with, one clause each (empty: fine)."""
    return [*_example_address(settings), *_short_tokens(settings),
            *_demo_credentials(settings), *_missing(settings, process)]


def check_startup(settings: Settings, process: Process | None) -> None:
    """Raise `SettingsError` with one line naming every refused variable."""
    problems = startup_problems(settings, process)
    if problems:
        raise SettingsError("invalid configuration: " + "; ".join(problems))


def _secret(settings: Settings, name: str) -> str:
    value = getattr(settings, name)
    return str(value if isinstance(value, str) else value.get_secret_value())


def _clause(fields: list[str], one: str, more: str, remedy: str) -> list[str]:
    """One clause for every field with the same problem: "A, B <more>; <remedy>"."""
    if not fields:
        return []
    names = ", ".join(Settings.env_name(name) for name in fields)
    return [f"{names} {one if len(fields) == 1 else more}; {remedy}"]


def _example_address(settings: Settings) -> list[str]:
    if urlsplit(settings.public_url).hostname != EXAMPLE_PUBLIC_HOST:
        return []
    return [f"OABRIDGE_PUBLIC_URL is the template's example {settings.public_url}; "
            "set the address Twilio reaches the ingress at"]


def _short_tokens(settings: Settings) -> list[str]:
    short = [name for name in _TOKENS
             if 0 < len(_secret(settings, name).strip()) < MIN_TOKEN_LENGTH]
    shorter = f"shorter than {MIN_TOKEN_LENGTH} characters"
    return _clause(short, f"is {shorter}", f"are {shorter}",
                   "set a random secret at least that long")


def _demo_credentials(settings: Settings) -> list[str]:
    if settings.sandbox_mode:
        return []
    found = [name for name in _CREDENTIALS if is_demo_credential(_secret(settings, name))]
    if any(is_demo_credential(secret) for secret in settings.webhook_secrets):
        found.append("webhook_secret")
    return _clause(found, "is a public demo credential of the sandbox",
                   "are public demo credentials of the sandbox",
                   f"set a real secret (demo values are {_SANDBOX_ONLY})")


def _missing(settings: Settings, process: Process | None) -> list[str]:
    empty = {name for name in ("api_key", "api_secret", "twilio_auth_token", "webhook_secret")
             if not _secret(settings, name).strip()}
    problems = []
    if settings.twilio_account_sid and "twilio_auth_token" in empty:
        problems.append("OABRIDGE_TWILIO_AUTH_TOKEN is empty while "
                        "OABRIDGE_TWILIO_ACCOUNT_SID is set; set the account's auth token")
    api = sorted(empty & {"api_key", "api_secret"})
    if process == "worker" or len(api) == 1:
        problems += _clause(api, "is empty", "are empty",
                            "the booking API needs its key and secret")
    if process == "serve" and not settings.erasure_secret.strip():
        problems.append("OABRIDGE_ERASURE_KEY and OABRIDGE_API_SECRET are both empty; "
                        "set OABRIDGE_ERASURE_KEY, the key of the erasure tombstones")
    if process == "serve" and "webhook_secret" in empty and not settings.sandbox_mode:
        problems.append("OABRIDGE_WEBHOOK_SECRET is empty; `oabridge serve` needs it to "
                        f"check change notices (unsigned ones are {_SANDBOX_ONLY})")
    return problems
