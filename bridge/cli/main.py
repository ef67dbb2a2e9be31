"""`oabridge`: one command with a subcommand per job.

Subcommands register themselves from their own modules; this module only builds the
parser, loads nothing heavy up front, and turns expected errors into one clear line
and a non-zero exit code instead of a traceback. The local tools (`up`, `walkthrough`,
`sandbox`) come from the `oabridge-sandbox` distribution through the entry-point group
`oabridge.commands` (`local_tools.py`); the product never imports them.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from bridge.cli import (
    config_command,
    erase_command,
    jobs_command,
    local_tools,
    messages_command,
    practices_command,
    service_commands,
    status_command,
    templates_command,
)
from bridge.observability.proctitle import set_title
from bridge.settings import SettingsError

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="oabridge",
        description="Reminders, confirmation prompts and two-way SMS for OnlineAfspraken.nl.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    local_tools.add_commands(commands, ["sandbox", "walkthrough"])
    config_command.add_command(commands)
    erase_command.add_command(commands)
    service_commands.add_commands(commands)
    jobs_command.add_command(commands)
    messages_command.add_command(commands)
    practices_command.add_command(commands)
    status_command.add_command(commands)
    templates_command.add_command(commands)
    local_tools.add_commands(commands, ["up"])
    local_tools.add_commands(commands)  # any other distribution's
    return parser


def title(args: argparse.Namespace) -> str | None:
    """The process title of a long-running command (None: a short one keeps its own)."""
    command = args.command
    if command == "sandbox" and not getattr(args, "sandbox_command", None):
        return f"oabridge: sandbox :{args.port}"
    return {"serve": f"oabridge: ingress :{getattr(args, 'port', '')}",
            "worker": "oabridge: worker", "up": "oabridge up"}.get(command)


def main(argv: Sequence[str] | None = None) -> int:
    missing = local_tools.missing(sys.argv[1:] if argv is None else argv)
    if missing is not None:
        print(missing, file=sys.stderr)
        return 2
    parser = build_parser()
    args = parser.parse_args(argv)
    shown = title(args)
    if shown is not None and argv is None:  # a command of its own, not a call in a test
        set_title(shown)
    try:
        code: int = args.func(args)
    except SettingsError as exc:
        print(f"oabridge: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return code


if __name__ == "__main__":
    sys.exit(main())
