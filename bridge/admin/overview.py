"""The overview: one count per view, so an operator sees at a glance where to look; and
the bridge's memory: kept since its first start, or recovering after Redis forgot
(`bridge.sending.recovery`; times and Redis's set-up: `oabridge status`)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from redis import Redis

from bridge.admin.conversations import numbers_known
from bridge.admin.failed_jobs import failed_count
from bridge.store.conversations import Conversations
from bridge.store.epoch import Epochs
from bridge.store.message_log import MessageLog
from bridge.store.optouts import OptOuts
from bridge.store.plan_store import PlanStore

__all__ = ["Overview", "overview"]


@dataclass(frozen=True, slots=True)
class Overview:
    messages: int
    #: Status → how many of the most recent 100 messages have it.
    recent_statuses: tuple[tuple[str, int], ...]
    numbers: int
    opted_out: int
    planned: int
    failed_jobs: int
    #: kept | recovering | recovered | none (no worker has started on this Redis yet).
    memory: str


def overview(redis: Redis, log: MessageLog, talk: Conversations, optouts: OptOuts) -> Overview:
    statuses = Counter(record.status for record in log.recent(100))
    numbers, opted_out = numbers_known(talk, optouts)
    return Overview(
        messages=log.count(),
        recent_statuses=tuple(sorted(statuses.items())),
        numbers=numbers,
        opted_out=opted_out,
        planned=PlanStore(redis).scheduled_count(),
        failed_jobs=failed_count(redis),
        memory=_memory(Epochs(redis)),
    )


def _memory(epochs: Epochs) -> str:
    epoch = epochs.read()
    if epoch is None:
        return "none"
    if epoch.recovering:
        return "recovering"
    return "kept" if epoch.lost_at is None else "recovered"
