"""`SyncState`: where each agenda's polling stands (its watermark, its last poll).

The watermark is the UpdateTime (epoch seconds) from which the next poll asks for
changes; it moves only once a poll or reconciliation has read and recorded every page,
so a poll that fails mid-way is retried from the same place. The last poll's time is
what the metrics endpoint reports as poll lag (`bridge.ingress.health`, through
`last_polls`, which finds every agenda's by SCAN: the ingress does not know the
account's agendas).
"""

from __future__ import annotations

from datetime import datetime

from redis import Redis

from bridge.store import keys
from bridge.store.text import as_text

__all__ = ["SyncState"]

_LAST_POLL = keys.last_poll(0).removesuffix("0")


class SyncState:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    def watermark(self, agenda_id: int) -> int | None:
        """Where the next poll of the agenda starts, or None: never polled."""
        mark = self.redis.get(keys.watermark(agenda_id))
        return None if mark is None else int(mark)

    def polled(self, agenda_id: int, watermark: int, at: datetime) -> None:
        """A complete poll or reconciliation of the agenda: move its watermark, note when."""
        with self.redis.pipeline() as pipe:
            pipe.set(keys.watermark(agenda_id), watermark)
            pipe.set(keys.last_poll(agenda_id), int(at.timestamp()))
            pipe.execute()

    def last_poll(self, agenda_id: int) -> int | None:
        """When the agenda's last complete poll finished (epoch seconds), if ever."""
        stamp = self.redis.get(keys.last_poll(agenda_id))
        return None if stamp is None else int(stamp)

    def last_polls(self) -> dict[int, int]:
        """Every polled agenda's last complete poll (epoch seconds), in SCAN order."""
        agendas = [as_text(raw).removeprefix(_LAST_POLL)
                   for raw in self.redis.scan_iter(match=_LAST_POLL + "*", count=1000)]
        agendas = [agenda for agenda in agendas if agenda.isdigit()]
        if not agendas:
            return {}
        stamps = self.redis.mget([_LAST_POLL + agenda for agenda in agendas])
        return {int(agenda): int(stamp)
                for agenda, stamp in zip(agendas, stamps, strict=True) if stamp is not None}
