"""`oabridge messages`: the most recent messages and their fate, recipients masked
(next to a running demo, the demo's: `bridge.cli.state_env`)."""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from bridge.cli.state_env import command_environ
from bridge.observability.masking import mask_email, mask_phone
from bridge.settings import load_settings
from bridge.store.connection import connect
from bridge.store.message_log import MessageLog


def add_command(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "messages", help="list recent messages with their status timeline"
    )
    parser.add_argument("--limit", type=int, default=20, help="how many (20)")
    parser.set_defaults(func=run)


def _masked(channel: str, recipient: str) -> str:
    if not recipient:
        return "-"
    return mask_phone(recipient) if channel == "sms" else mask_email(recipient)


def timeline(steps: Iterable[Mapping[str, object]]) -> str:
    """`claimed → sent → delivered`: each status with its error code, a report repeated
    in a row (a provider's callback sent twice) shown once."""
    shown: list[str] = []
    for step in steps:
        text = str(step["status"]) + (f" ({step['code']})" if "code" in step else "")
        if not shown or shown[-1] != text:
            shown.append(text)
    return " → ".join(shown)


def run(args: argparse.Namespace) -> int:
    settings = load_settings(command_environ())
    log = MessageLog(connect(settings.redis_target), settings.retention_days * 86400)
    records = log.recent(args.limit)
    if not records:
        print("no messages yet")
    for record in records:
        when = datetime.fromtimestamp(record.created, UTC).astimezone(settings.tz)
        print(f"{when:%Y-%m-%d %H:%M %Z}  {record.kind:<16} {record.channel:<5} "
              f"{_masked(record.channel, record.recipient):<18} appointment "
              f"{record.appointment_id}  {record.status:<11} {timeline(record.timeline)}")
    return 0
