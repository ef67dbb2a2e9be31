"""The practice's inbox: customers' free-text replies ("Kan ik verzetten?"), which the
bridge answers with its help text and which a person at the desk should read (#17).

An entry is the reply's MessageSid in a sorted set by when it was received; the text,
the appointments the number had been asked about, and the "handled" mark live in the
inbound record (`InboundStore`), so they expire with it, and an erasure that forgets
the record takes the entry too. Adding twice is one entry: safe for a retried job.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from redis import Redis

from bridge.store import keys
from bridge.store.text import as_text

__all__ = ["Inbox", "InboxEntry"]

#: Marked only while the entry and its record exist, in one step: an erasure between a
#: check and the write would leave a record of the mark alone, with no expiry.
_MARK = """
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) or redis.call('EXISTS', KEYS[2]) == 0 then
  return 0
end
redis.call('HSETNX', KEYS[2], 'handled', ARGV[2])
return 1
"""


@dataclass(frozen=True, slots=True)
class InboxEntry:
    sid: str
    sender: str
    body: str
    received: int
    about: tuple[int, ...]
    """The appointments the number had been asked about when it wrote."""
    handled_at: int
    """When someone marked it handled (epoch s); 0: not yet."""


class Inbox:
    def __init__(self, redis: Redis, retention_seconds: int) -> None:
        self.redis = redis
        self.retention = retention_seconds
        self._mark = redis.register_script(_MARK)

    def add(self, sid: str, received: datetime, about: list[int]) -> None:
        stamp = int(received.timestamp())
        with self.redis.pipeline() as pipe:
            pipe.hset(keys.inbound(sid), "about", json.dumps(sorted(about)))
            pipe.zadd(keys.INBOX, {sid: stamp})
            pipe.zremrangebyscore(keys.INBOX, 0, stamp - self.retention)  # records gone
            pipe.execute()

    def recent(self, limit: int) -> list[InboxEntry]:
        """The newest first; an entry whose record has expired is left out."""
        sids = [as_text(s) for s in self.redis.zrevrange(keys.INBOX, 0, limit - 1)]
        with self.redis.pipeline(transaction=False) as pipe:
            for sid in sids:
                pipe.hgetall(keys.inbound(sid))
            records = pipe.execute()
        entries = []
        for sid, raw in zip(sids, records, strict=True):
            data = {as_text(k): as_text(v) for k, v in raw.items()}
            if not data:
                continue
            entries.append(InboxEntry(
                sid, data.get("from", ""), data.get("body", ""), int(data.get("received", 0)),
                tuple(int(i) for i in json.loads(data.get("about", "[]"))),
                int(data.get("handled", 0))))
        return entries

    def mark_handled(self, sid: str, at: datetime) -> bool:
        """Marked once (the first mark's time stays); False: no such entry."""
        return bool(self._mark(keys=[keys.INBOX, keys.inbound(sid)],
                               args=[sid, int(at.timestamp())]))

    def count(self) -> int:
        return int(self.redis.zcard(keys.INBOX))
