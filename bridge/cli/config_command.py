"""`oabridge config`: the effective configuration, secrets masked (next to a running
demo, the demo's: `bridge.cli.state_env`). It refuses, in the same one line, what would
stop every process at start-up (a guessable secret: `bridge.settings.secret_checks`)."""

from __future__ import annotations

import argparse
from typing import Any

from bridge.cli.state_env import command_environ
from bridge.settings import load_startup_settings


def add_command(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "config", help="print the effective configuration (secrets masked)"
    )
    parser.set_defaults(func=run)


def run(_args: argparse.Namespace) -> int:
    settings = load_startup_settings(None, command_environ())
    width = max(len(name) for name, _ in settings.describe())
    for name, value in settings.describe():
        print(f"{name.ljust(width)}  {value}")
    return 0
