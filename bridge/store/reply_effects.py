"""What customers' replies changed upstream: `PENDING → APPROVED (confirmed by SMS from
+33*******78)`, for the demo's terminal and for operators.

The reply handler records one entry each time it confirms or cancels an appointment
in the booking system: the appointment, its status before and after, what the reply
did, the channel and the sender. The sender is stored masked: the entry says who in
the way every screen may show it, and holds no personal data that `oabridge erase`
would have to find. A capped stream (newest `MAX_ENTRIES`), trimmed to the retention
period at each write and expiring as a whole when nothing is written for that long.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from redis import Redis

from bridge.store import keys
from bridge.store.text import as_text

__all__ = ["MAX_ENTRIES", "ReplyEffect", "ReplyEffects"]

MAX_ENTRIES = 1000


@dataclass(frozen=True, slots=True)
class ReplyEffect:
    appointment_id: int
    before: str  # a status name, e.g. PENDING
    after: str
    action: str  # confirmed | cancelled
    channel: str  # sms
    sender: str  # masked, e.g. +33*******78
    at: float  # epoch seconds

    def describe(self) -> str:
        """`appointment 30012003: PENDING → APPROVED (confirmed by SMS from +33*******78)`."""
        return (f"appointment {self.appointment_id}: {self.before} → {self.after} "
                f"({self.action} by {self.channel.upper()} from {self.sender})")


class ReplyEffects:
    def __init__(self, redis: Redis, retention_seconds: int) -> None:
        self.redis = redis
        self.retention = retention_seconds

    def record(self, effect: ReplyEffect) -> str:
        """Append one effect; returns its stream id."""
        entry_id = as_text(self.redis.xadd(keys.REPLY_EFFECTS, {
            "appointment": effect.appointment_id, "before": effect.before,
            "after": effect.after, "action": effect.action, "channel": effect.channel,
            "sender": effect.sender, "at": repr(effect.at),
        }, maxlen=MAX_ENTRIES, approximate=False))
        # Stream ids are the server's milliseconds: older than the retention is this
        # entry's id minus the retention (no second clock to disagree with).
        oldest = int(entry_id.split("-")[0]) - self.retention * 1000
        with self.redis.pipeline() as pipe:
            pipe.xtrim(keys.REPLY_EFFECTS, minid=max(oldest, 0), approximate=False)
            pipe.expire(keys.REPLY_EFFECTS, self.retention)
            pipe.execute()
        return entry_id

    def after(self, last_id: str = "0", count: int = 100) -> list[tuple[str, ReplyEffect]]:
        """Entries after stream id `last_id` ("0": from the oldest), oldest first."""
        entries = self.redis.xrange(keys.REPLY_EFFECTS, f"({last_id}", "+", count=count)
        return [(as_text(entry_id or b""), _effect(fields)) for entry_id, fields in entries or []]

    def recent(self, count: int = 20) -> list[ReplyEffect]:
        """The newest `count` effects, newest first."""
        entries = self.redis.xrevrange(keys.REPLY_EFFECTS, "+", "-", count=count)
        return [_effect(fields) for _, fields in entries or []]

    def last_id(self) -> str:
        """The newest entry's id, or "0": a reader that starts here sees only new ones."""
        newest = self.redis.xrevrange(keys.REPLY_EFFECTS, "+", "-", count=1)
        return as_text(newest[0][0]) if newest else "0"


def _effect(fields: Mapping[bytes | str, bytes | str] | None) -> ReplyEffect:
    data = {as_text(k): as_text(v) for k, v in (fields or {}).items()}
    return ReplyEffect(
        appointment_id=int(data.get("appointment", 0)), before=data.get("before", ""),
        after=data.get("after", ""), action=data.get("action", ""),
        channel=data.get("channel", ""), sender=data.get("sender", ""),
        at=float(data.get("at", 0)),
    )
