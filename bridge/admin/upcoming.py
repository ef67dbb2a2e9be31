"""The upcoming view: planned messages, soonest first, and how many are planned in all.

Only the first `LIMIT` entries are read: with 100,000 appointments the whole schedule
is hundreds of thousands of keys for a page that shows a screenful.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from redis import Redis

from bridge.admin.display import local_time
from bridge.store.plan_store import PlanStore

__all__ = ["UpcomingRow", "upcoming"]

LIMIT = 200


@dataclass(frozen=True, slots=True)
class UpcomingRow:
    send_at: str
    kind: str
    variant: str
    appointment_id: int
    start: str


def upcoming(redis: Redis, tz: ZoneInfo, limit: int = LIMIT) -> tuple[list[UpcomingRow], int]:
    """The soonest `limit` planned messages, and the number planned in all."""
    plans = PlanStore(redis)
    rows = [
        UpcomingRow(
            send_at=local_time(message.send_at, tz),
            kind=message.kind.value,
            variant=message.variant,
            appointment_id=message.appointment_id,
            start=local_time(message.start, tz),
        )
        for message in plans.scheduled(limit)
    ]
    return rows, plans.scheduled_count()
