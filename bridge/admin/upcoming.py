"""The upcoming view: planned messages, soonest first, and how many are planned in all.

This reads the schedule's first `LIMIT` entries itself rather than calling
`PlanStore.scheduled()`, which reads every planned message: with 100,000
appointments that is hundreds of thousands of keys for a page that shows a screenful.
The records are decoded with the plan store's own `planned_from_json`.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from redis import Redis

from bridge.admin.display import local_time
from bridge.store import keys
from bridge.store.plan_store import planned_from_json
from bridge.store.text import as_text

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
    with redis.pipeline(transaction=False) as pipe:
        pipe.zrange(keys.SCHEDULE, 0, limit - 1)
        pipe.zcard(keys.SCHEDULE)
        message_keys, total = pipe.execute()
    if not message_keys:
        return [], int(total)
    raws = redis.mget([keys.planned(as_text(k)) for k in message_keys])
    rows = []
    for raw in raws:
        if raw is None:  # its plan record expired; the ticker drops the key
            continue
        message = planned_from_json(raw)
        rows.append(UpcomingRow(
            send_at=local_time(message.send_at, tz),
            kind=message.kind.value,
            variant=message.variant,
            appointment_id=message.appointment_id,
            start=local_time(message.start, tz),
        ))
    return rows, int(total)
