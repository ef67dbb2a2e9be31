"""`oabridge`: one command with a subcommand per job.

Subcommands register themselves from their own modules; this module only builds the
parser, loads nothing heavy up front, and turns expected errors into one clear line
and a non-zero exit code instead of a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from bridge.cli import (
    config_command,
    erase_command,
    jobs_command,
    messages_command,
    service_commands,
    templates_command,
    up_command,
    walkthrough,
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
    from sandbox.cli import add_sandbox_command

    add_sandbox_command(commands)
    walkthrough.add_command(commands)
    config_command.add_command(commands)
    erase_command.add_command(commands)
    service_commands.add_commands(commands)
    jobs_command.add_command(commands)
    messages_command.add_command(commands)
    templates_command.add_command(commands)
    up_command.add_command(commands)
    return parser


def title(args: argparse.Namespace) -> str | None:
    """The process title of a long-running command (None: a short one keeps its own)."""
    command = args.command
    if command == "sandbox" and not getattr(args, "sandbox_command", None):
        return f"oabridge: sandbox :{args.port}"
    return {"serve": f"oabridge: ingress :{getattr(args, 'port', '')}",
            "worker": "oabridge: worker", "up": "oabridge up"}.get(command)


def main(argv: Sequence[str] | None = None) -> int:
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
