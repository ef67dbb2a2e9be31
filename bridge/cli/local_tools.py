"""Commands that other distributions add to `oabridge`: the entry-point group
`oabridge.commands`, each entry point a callable that adds its subcommand to the main
parser's subparsers.

The local tools (`up`, `walkthrough`, `sandbox`) come this way from `oabridge-sandbox`,
so the product imports nothing of the sandbox and its image can leave the sandbox out.
Where they are not installed (that image), asking for one gives one line saying what it
is and how to get it, exit code 2, instead of argparse's "invalid choice".
"""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any

__all__ = ["GROUP", "LOCAL_TOOLS", "Discovered", "add_commands", "discover", "missing"]

GROUP = "oabridge.commands"
LOCAL_TOOLS = ("up", "walkthrough", "sandbox")

Adder = Callable[[Any], object]


@dataclass(frozen=True)
class Discovered:
    """The installed commands by name, and those whose entry point does not load."""

    adders: dict[str, Adder] = field(default_factory=dict)
    broken: dict[str, str] = field(default_factory=dict)


@functools.cache
def discover() -> Discovered:
    found = Discovered()
    for point in sorted(entry_points(group=GROUP), key=lambda p: p.name):
        try:
            found.adders[point.name] = point.load()
        except (ImportError, AttributeError) as exc:  # a half-removed installation
            found.broken[point.name] = f"{type(exc).__name__}: {exc}"
    return found


def add_commands(commands: Any, names: Iterable[str] | None = None,
                 found: Discovered | None = None) -> None:
    """Add the named commands (default: every installed one that is no local tool); a
    local tool that is not installed is listed all the same, and says so when run."""
    found = discover() if found is None else found
    if names is None:
        names = [name for name in found.adders if name not in LOCAL_TOOLS]
    for name in names:
        adder = found.adders.get(name)
        if adder is not None:
            adder(commands)
        elif name in LOCAL_TOOLS:
            parser: argparse.ArgumentParser = commands.add_parser(
                name, help="a local tool, not installed here (see ./scripts/install)")
            parser.set_defaults(func=functools.partial(_say_missing, name, found))


def missing(argv: Sequence[str], found: Discovered | None = None) -> str | None:
    """The line to print instead of running `argv`, when it asks for a local tool that is
    not installed or does not load; None otherwise."""
    command = next((word for word in argv if not word.startswith("-")), None)
    if command is None:
        return None
    found = discover() if found is None else found
    if command in found.broken:
        return (f"oabridge: {command} is installed but does not load "
                f"({found.broken[command]}); ./scripts/install in a checkout installs it again")
    if command in LOCAL_TOOLS and command not in found.adders:
        others = " and ".join(tool for tool in LOCAL_TOOLS if tool != command)
        return (f"oabridge: {command} is a local tool (with {others}: the sandbox and the "
                "demo), not installed here; in a checkout of oabridge, ./scripts/install "
                "installs them (the oabridge-sandbox distribution)")
    return None


def _say_missing(name: str, found: Discovered, _args: argparse.Namespace) -> int:
    print(missing([name], found), file=sys.stderr)
    return 2
