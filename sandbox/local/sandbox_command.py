"""`oabridge sandbox`, as the local tools register it: the sandbox's own command
(`sandbox.cli`), whose `sms` finds the sandbox of a demo running in this folder.

The rest of `sandbox/` knows nothing of the bridge, so where the demo leaves its settings
(`bridge.cli.state_env`) is looked up here, and only when `--sandbox` is not given.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bridge.cli.state_env import demo_value
from sandbox.cli import add_sandbox_command
from sandbox.twilio.cli import run_sms

__all__ = ["add_command", "run_sms_next_to_the_demo"]


def add_command(commands: Any) -> None:
    """Register `sandbox` (and its `sms`) on the main CLI's subparsers."""
    parser = add_sandbox_command(commands)
    (subcommands,) = (action for action in parser._actions
                      if isinstance(action, argparse._SubParsersAction))
    subcommands.choices["sms"].set_defaults(func=run_sms_next_to_the_demo)


def run_sms_next_to_the_demo(args: argparse.Namespace) -> int:
    """`oabridge sandbox sms`: by default to the demo's sandbox when a demo runs here."""
    if not args.sandbox:
        url = demo_value("OABRIDGE_TWILIO_BASE_URL")
        if url:
            print(f"oabridge: using the sandbox of the demo that runs here, {url}",
                  file=sys.stderr)
            args.sandbox = url
    return run_sms(args)
