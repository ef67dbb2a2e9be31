"""`oabridge practices …`: the practices this deployment serves (#17).

`add SLUG --api-key K --api-secret S [...]` starts a practice in shadow; `list` and
`show SLUG` print them, secrets masked; `set SLUG --…` changes settings (an empty value
falls back to the deployment's); `pause`, `resume` and `go-live` change its mode;
`remove SLUG` forgets it. `new-key` prints a fresh `OABRIDGE_SECRETS_KEY`;
`rotate-key` re-encrypts every stored secret under the first key of that setting.

Exit status: 0 done; 2 refused (the message names what: a bad slug or value, no such
practice, no secrets key, Redis unreachable).
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime
from typing import Any

from redis.exceptions import RedisError

from bridge.cli.state_env import command_environ
from bridge.practices import (
    OVERRIDABLE,
    Mode,
    Practice,
    PracticeError,
    PracticeRegistry,
    SecretBox,
    settings_for,
)
from bridge.settings import Settings, load_settings
from bridge.store.connection import connect

__all__ = ["add_command", "run"]

_HELP = {
    "api-key": "the practice's OnlineAfspraken API key",
    "api-secret": "its API secret (stored encrypted: needs OABRIDGE_SECRETS_KEY)",
    "agenda-ids": "agenda ids to watch, comma-separated (default: every agenda)",
    "sender": "its SMS sender: an E.164 number or an alphanumeric sender ID",
    "messaging-service": "or its Twilio Messaging Service (MG…)",
    "twilio-account-sid": "its own Twilio account (AC…), if not the deployment's",
    "twilio-auth-token": "that account's auth token (stored encrypted)",
    "language": "language when a customer has none: nl or en",
    "timezone": "its time zone, e.g. Europe/Amsterdam",
    "templates": "a folder of its own templates (shipped ones fill gaps)",
    "name": "its name, as messages show it",
    "phone": "how customers reach it, as messages show it",
}


def add_command(commands: Any) -> None:
    parser = commands.add_parser("practices", help="the practices this deployment serves")
    sub = parser.add_subparsers(dest="practices_command", required=True, metavar="ACTION")
    add = sub.add_parser("add", help="a new practice, in shadow until it goes live")
    add.add_argument("slug")
    _setting_flags(add, required={"api-key", "api-secret"})
    sub.add_parser("list", help="every practice, one a line")
    show = sub.add_parser("show", help="one practice's settings, secrets masked")
    show.add_argument("slug")
    change = sub.add_parser("set", help="change a practice's settings ('' falls back)")
    change.add_argument("slug")
    _setting_flags(change, required=set())
    for action, text in [("pause", "send nothing from now (in-flight sends finish)"),
                         ("resume", "send again after a pause"),
                         ("go-live", "end the shadow run: send from now on"),
                         ("remove", "forget a practice")]:
        one = sub.add_parser(action, help=text)
        one.add_argument("slug")
    sub.add_parser("new-key", help="print a new key for OABRIDGE_SECRETS_KEY")
    sub.add_parser("rotate-key",
                   help="re-encrypt every stored secret under OABRIDGE_SECRETS_KEY's first key")
    parser.set_defaults(func=run)


def _setting_flags(parser: argparse.ArgumentParser, required: set[str]) -> None:
    for flag in OVERRIDABLE:
        parser.add_argument(f"--{flag}", required=flag in required, help=_HELP[flag],
                            dest=_dest(flag))


def _dest(flag: str) -> str:
    return "setting_" + flag.replace("-", "_")


def _given(args: argparse.Namespace) -> dict[str, str]:
    """The settings given on the command line, by `Settings` field."""
    return {name: str(getattr(args, _dest(flag))) for flag, name in OVERRIDABLE.items()
            if getattr(args, _dest(flag), None) is not None}


def run(args: argparse.Namespace) -> int:
    action = args.practices_command
    if action == "new-key":
        print(SecretBox.new_key())
        return 0
    settings = load_settings(command_environ())
    try:
        box = SecretBox(settings.secrets_key.get_secret_value())
        registry = PracticeRegistry(connect(settings.redis_target), box, time.time,
                                    check=lambda practice: settings_for(settings, practice, box))
        return _act(action, args, registry, settings)
    except PracticeError as exc:
        print(f"oabridge: {exc}", file=sys.stderr)
        return 2
    except (RedisError, OSError) as exc:
        print(f"oabridge: cannot reach Redis ({type(exc).__name__}); "
              "check OABRIDGE_REDIS_URL (or OABRIDGE_REDIS_SENTINELS)", file=sys.stderr)
        return 2


def _act(action: str, args: argparse.Namespace, registry: PracticeRegistry,
         settings: Settings) -> int:
    if action == "list":
        for practice in registry.all():
            print(_line(practice, settings, registry.box))
        return 0
    if action == "rotate-key":
        print(f"re-encrypted {registry.rotate_secrets()} stored secrets under the first key "
              "of OABRIDGE_SECRETS_KEY; the older keys can now be dropped from it")
        return 0
    slug = str(args.slug)
    if action == "add":
        registry.add(slug, _given(args))
        print(f"added practice {slug}, in shadow: it plans and logs what it would send and "
              f"sends nothing until `oabridge practices go-live {slug}`")
    elif action == "set":
        given = _given(args)
        if not given:
            raise PracticeError("nothing to set: give one or more --flags (see --help)")
        registry.change(slug, given)
        print(f"practice {slug}: set {', '.join(sorted(given))}")
    elif action == "show":
        practice = registry.get(slug)
        print(_line(practice, settings, registry.box))
        for flag, value in practice.shown().items():
            print(f"  --{flag}: {value}")
    elif action == "remove":
        registry.remove(slug)
        print(f"removed practice {slug}")
    else:
        mode = {"pause": Mode.PAUSED, "resume": Mode.LIVE, "go-live": Mode.LIVE}[action]
        _change_mode(registry, slug, action, mode)
    return 0


def _change_mode(registry: PracticeRegistry, slug: str, action: str, mode: Mode) -> None:
    current = registry.get(slug).mode
    if action == "resume" and current is not Mode.PAUSED:
        raise PracticeError(f"practice {slug} is {current.value}, not paused")
    if action == "go-live" and current is not Mode.SHADOW:
        raise PracticeError(f"practice {slug} is {current.value}, not in shadow")
    practice, _before = registry.set_mode(slug, mode)
    print(f"practice {slug}: {practice.mode.value} since {_when(practice.mode_since)}")


def _line(practice: Practice, settings: Settings, box: SecretBox) -> str:
    try:
        effective = settings_for(settings, practice, box)
    except PracticeError as exc:
        return f"{practice.slug}  {practice.mode.value}  (settings refused: {exc})"
    sender = effective.twilio_messaging_service_sid or effective.twilio_from or "(no sender)"
    agendas = effective.agenda_ids or "every agenda"
    name = effective.practice_name or "(agenda's name)"
    return (f"{practice.slug}  {practice.mode.value} since {_when(practice.mode_since)}  "
            f"{name}  sender {sender}  agendas {agendas}  api key {effective.api_key or '-'}")


def _when(epoch: float) -> str:
    if not epoch:
        return "the start"
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
