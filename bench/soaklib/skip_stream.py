"""The bridge's skipped-message stream, read as it grows: the stream is capped, so the
soak reads it every few seconds during the run rather than once at the end."""

from __future__ import annotations

from typing import Any

from redis import Redis

from bench.soaklib.verdict import Skip

SKIPPED_STREAM = "oab:skipped"


class SkipReader:
    """Reads the bridge's skipped-message stream as it grows (it is capped)."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self.last = "0-0"
        self.skips: list[Skip] = []

    def read(self) -> None:
        while True:
            batch: Any = self.redis.xrange(SKIPPED_STREAM, f"({self.last}", "+", count=1000)
            if not batch:
                return
            for entry_id, fields in batch:
                f = {k.decode(): v.decode() for k, v in fields.items()}
                self.skips.append(Skip(int(f["appointment"]), f["kind"], f.get("variant", ""),
                                       float(f["start"]), f["reason"], float(f["at"])))
                self.last = entry_id.decode()
