"""`SkipLog`: the one writer of the skipped-messages stream, for operators and checks.

A message is skipped in two places: when it is planned (booked after its reminder time,
asked in a rescheduled notice, ...) and when it is about to be sent (cancelled or moved
meanwhile, no way to reach the customer, opted out). Both write one shape, so a reader
(the flow tests, the soak's oracle) needs to know only one:

    appointment, kind, variant, start (epoch s), channel, reason, at (epoch s)

`channel` is empty unless one channel of the message was skipped (`sms: opted_out`).
The plan writes its skips inside its own transaction (`record_in`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from redis import Redis
from redis.typing import EncodableT, FieldT

from bridge.store import keys
from bridge.store.text import as_text

__all__ = ["Skip", "SkipLog"]


@dataclass(frozen=True, slots=True)
class Skip:
    """One message (or one channel of it) not sent, and why."""

    appointment_id: int
    kind: str
    variant: str
    start: datetime
    reason: str
    channel: str = ""


class SkipLog:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    def record(self, skip: Skip, now: datetime) -> None:
        self.record_in(self.redis, skip, now)

    @staticmethod
    def record_in(redis: Redis, skip: Skip, now: datetime) -> None:
        """Append `skip` with `redis`, which may be a pipeline in a transaction."""
        fields: dict[FieldT, EncodableT] = {
            "appointment": skip.appointment_id,
            "kind": skip.kind,
            "variant": skip.variant,
            "start": int(skip.start.timestamp()),
            "channel": skip.channel,
            "reason": skip.reason,
            "at": int(now.timestamp()),
        }
        redis.xadd(keys.SKIPPED, fields, maxlen=keys.STREAM_LENGTH, approximate=True)

    def entries(self) -> list[dict[str, str]]:
        """Every entry still in the (capped) stream, oldest first, as text."""
        return [{as_text(k): as_text(v) for k, v in (fields or {}).items()}
                for _, fields in self.redis.xrange(keys.SKIPPED) or []]
