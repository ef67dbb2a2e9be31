"""The bridge's skipped-message stream, read as it grows: the stream is capped, so the
soak reads it every few seconds during the run rather than once at the end. Redis
faults take it too (amnesia empties it, a failover loses its last entries): the soak
reads it just before each, and the oracle judges by the copy. A new stream after a loss
gets ids from the clock, later than the last one read."""

from __future__ import annotations

from typing import Any

from redis import Redis
from redis.exceptions import RedisError

from bench.soaklib.verdict import Skip

SKIPPED_STREAM = "oab:skipped"


class SkipReader:
    """Reads the bridge's skipped-message stream as it grows (it is capped)."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self.last = "0-0"
        self.skips: list[Skip] = []

    def read(self) -> None:
        """Copy what is new; an outage leaves the copy as it was (read again later)."""
        try:
            self._read()
        except RedisError:
            return

    def _read(self) -> None:
        while True:
            batch: Any = self.redis.xrange(SKIPPED_STREAM, f"({self.last}", "+", count=1000)
            if not batch:
                return
            for entry_id, fields in batch:
                f = {k.decode(): v.decode() for k, v in fields.items()}
                self.skips.append(Skip(int(f["appointment"]), f["kind"], f.get("variant", ""),
                                       float(f["start"]), f["reason"], float(f["at"])))
                self.last = entry_id.decode()
