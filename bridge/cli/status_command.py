"""`oabridge status`: the bridge's memory at a glance, one fact a line (`--json` for
machines): its epoch, whether it runs in recovery after Redis forgot
(`bridge.sending.recovery`), and the Redis it keeps its memory in: persistence,
replicas, eviction policy. Redis unreachable: one line and status 2."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from typing import Any

from redis.exceptions import RedisError

from bridge.cli.state_env import command_environ
from bridge.settings import load_settings
from bridge.store.memory_status import MemoryStatus, ask_memory_status

__all__ = ["add_command", "as_json", "as_lines", "run"]


def add_command(commands: Any) -> None:
    status = commands.add_parser(
        "status", help="the bridge's epoch, whether it is recovering, and its Redis")
    status.add_argument("--json", action="store_true", help="one JSON object")
    status.set_defaults(func=run)


def _when(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def as_json(status: MemoryStatus) -> dict[str, Any]:
    epoch = status.epoch
    fitness = status.fitness
    return {
        "epoch": None if epoch is None else {
            "id": epoch.id, "started_at": _when(epoch.started_at),
            "lost_at": _when(epoch.lost_at), "recovering": epoch.recovering,
            "recovered_at": _when(epoch.recovered_at),
        },
        "recovery_counts": status.recovery_counts,
        "redis": {
            "persistence": fitness.persistence, "replicas": fitness.replicas,
            "eviction_policy": fitness.policy, "refusal": fitness.refusal,
            "warning": fitness.warning,
        },
    }


def _epoch_lines(status: MemoryStatus) -> list[str]:
    epoch = status.epoch
    if epoch is None:
        return ["epoch: none (no worker has started on this Redis yet, or it has just "
                "forgotten; the next worker tick decides)"]
    lines = [f"epoch: {epoch.id}", f"started: {_when(epoch.started_at)}"]
    if epoch.lost_at is None:
        lines.append("memory lost: no (a first start)")
    else:
        lines.append(f"memory lost: yes, found at {_when(epoch.lost_at)}")
    if epoch.recovering:
        lines.append(f"recovery: running since {_when(epoch.lost_at)}")
    elif epoch.recovered_at is not None:
        lines.append(f"recovery: ended at {_when(epoch.recovered_at)}")
    else:
        lines.append("recovery: no")
    counts = status.recovery_counts
    if epoch.lost_at is not None or counts:
        lines.append(f"sms found at Twilio, not sent again: {counts.get('found_sent', 0)}")
        lines.append(f"e-mails skipped (memory lost; may have been sent): "
                     f"{counts.get('email_skipped', 0)}")
        lines.append(f"sms skipped (may have gone by e-mail before the loss): "
                     f"{counts.get('sms_skipped', 0)}")
        lines.append(f"replies set aside (memory lost; may have been answered): "
                     f"{counts.get('reply_skipped', 0)}")
        lines.append(f"conversations reopened from Twilio's log: "
                     f"{counts.get('conversation_rebuilt', 0)}")
    return lines


def as_lines(status: MemoryStatus) -> list[str]:
    fitness = status.fitness
    lines = _epoch_lines(status)
    lines += [f"redis persistence: {fitness.persistence}",
              f"redis replicas: {fitness.replicas}",
              f"redis eviction policy: {fitness.policy or 'unknown'}"]
    lines += [f"warning: {line}" for line in (fitness.refusal, fitness.warning) if line]
    return lines


def run(args: argparse.Namespace) -> int:
    settings = load_settings(command_environ())
    try:
        status = ask_memory_status(settings.redis_target)
    except (RedisError, OSError) as exc:
        print(f"oabridge: cannot reach Redis ({type(exc).__name__}); "
              "check OABRIDGE_REDIS_URL (or OABRIDGE_REDIS_SENTINELS)", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(as_json(status), indent=2))
    else:
        print("\n".join(as_lines(status)))
    return 0
