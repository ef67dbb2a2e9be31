"""The practices' records in one Redis hash (`keys.PRACTICES`): slug -> JSON.

Only storage: what a record means (modes, settings, sealed secrets) is
`bridge.practices`. Each write is one HSET of the whole record, so a reader sees the
old or the new, never a mix; `create` is HSETNX, so two adds of one slug make one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from redis import Redis

from bridge.store import keys
from bridge.store.text import as_text

__all__ = ["PracticeRecord", "PracticeRecords"]


@dataclass(frozen=True, slots=True)
class PracticeRecord:
    slug: str
    mode: str
    mode_since: float
    settings: dict[str, str]


class PracticeRecords:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    def create(self, record: PracticeRecord) -> bool:
        """False: a record with this slug exists (nothing written)."""
        return bool(self.redis.hsetnx(keys.PRACTICES, record.slug, _dumps(record)))

    def put(self, record: PracticeRecord) -> None:
        self.redis.hset(keys.PRACTICES, record.slug, _dumps(record))

    def get(self, slug: str) -> PracticeRecord | None:
        raw = self.redis.hget(keys.PRACTICES, slug)
        return None if raw is None else _loads(slug, as_text(raw))

    def exists(self, slug: str) -> bool:
        return bool(self.redis.hexists(keys.PRACTICES, slug))

    def all(self) -> list[PracticeRecord]:
        """Every record, by slug."""
        stored = {as_text(slug): as_text(raw)
                  for slug, raw in self.redis.hgetall(keys.PRACTICES).items()}
        return [_loads(slug, raw) for slug, raw in sorted(stored.items())]

    def delete(self, slug: str) -> bool:
        return bool(self.redis.hdel(keys.PRACTICES, slug))


def _dumps(record: PracticeRecord) -> str:
    return json.dumps({"mode": record.mode, "mode_since": record.mode_since,
                       "settings": record.settings}, sort_keys=True)


def _loads(slug: str, raw: str) -> PracticeRecord:
    data = json.loads(raw)
    return PracticeRecord(slug, str(data["mode"]), float(data["mode_since"]),
                          {str(k): str(v) for k, v in data.get("settings", {}).items()})
