"""`Epochs`: the bridge's memory of having started, so it can tell when Redis forgot.

The epoch is one key without a TTL (`oab:epoch`), a JSON object written once, when the
bridge first finds no epoch:

    {"id": "...", "started_at": <epoch s>, "lost_at": <epoch s> | null,
     "recovering": true | false, "recovered_at": <epoch s> | null}

An epoch that records `lost_at` was written by a bridge that found its memory gone
(no epoch, but the provider shows it has sent messages: `bridge.sending.recovery`).
From then on it runs in recovery (`recovering`) until the ticker finds it has rebuilt
what it needs; `lost_at` stays, because the rule for messages whose time came before
the loss outlives the recovery (a retry hours later is still asked about).

Only a worker's ticker decides what a missing epoch means (`bridge.sending.recovery`);
two that find none at the same moment both decide, and `begin` writes only the first
(`SET NX`): both then go on with the one written. Reading it is one GET,
cheap enough for every tick and every send. The recovery's counts, for /metrics, live
in a hash of their own (`oab:stats:recovery`).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from redis import Redis

from bridge.store import keys
from bridge.store.counters import counts_of
from bridge.store.text import as_text

__all__ = ["EPOCH", "RECOVERY_COUNTS", "Epoch", "Epochs", "new_epoch"]

#: The epoch's key: no TTL, written once per memory (see the module).
EPOCH = f"{keys.PREFIX}epoch"
#: Counts of the recovery's doings: memory_lost, found_sent, email_skipped, sms_skipped,
#: reply_skipped, conversation_rebuilt.
RECOVERY_COUNTS = f"{keys.PREFIX}stats:recovery"

# Ends the recovery of the epoch it was read as (its id), and only that one.
_END_RECOVERY = """
local raw = redis.call('GET', KEYS[1])
if not raw then return 0 end
local epoch = cjson.decode(raw)
if epoch['id'] ~= ARGV[1] or not epoch['recovering'] then return 0 end
epoch['recovering'] = false
epoch['recovered_at'] = tonumber(ARGV[2])
redis.call('SET', KEYS[1], cjson.encode(epoch))
return 1
"""


@dataclass(frozen=True, slots=True)
class Epoch:
    """One memory of the bridge: since when, and whether it began with a loss."""

    id: str
    started_at: datetime
    lost_at: datetime | None = None
    """When the bridge found that Redis had forgotten; None: a first start."""
    recovering: bool = False
    recovered_at: datetime | None = None

    def to_json(self) -> str:
        return json.dumps({
            "id": self.id, "started_at": _seconds(self.started_at),
            "lost_at": _seconds(self.lost_at), "recovering": self.recovering,
            "recovered_at": _seconds(self.recovered_at),
        })

    @classmethod
    def from_json(cls, raw: str) -> Epoch:
        data = json.loads(raw)
        return cls(id=str(data["id"]), started_at=_moment(data["started_at"]) or _ZERO,
                   lost_at=_moment(data.get("lost_at")),
                   recovering=bool(data.get("recovering", False)),
                   recovered_at=_moment(data.get("recovered_at")))

    def ended(self, at: datetime) -> Epoch:
        return replace(self, recovering=False, recovered_at=at)


_ZERO = datetime.fromtimestamp(0, UTC)


def _seconds(moment: datetime | None) -> float | None:
    return None if moment is None else round(moment.timestamp(), 3)


def _moment(value: object) -> datetime | None:
    if value is None or isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return datetime.fromtimestamp(float(value), UTC)


def new_epoch(now: datetime, lost: bool) -> Epoch:
    """A fresh epoch from `now`: a first start, or (`lost`) a memory found gone."""
    return Epoch(id=uuid.uuid4().hex, started_at=now, lost_at=now if lost else None,
                 recovering=lost)


class Epochs:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    def read(self) -> Epoch | None:
        """The current epoch (one GET), or None: Redis has none."""
        raw = self.redis.get(EPOCH)
        return None if raw is None else Epoch.from_json(as_text(raw))

    def begin(self, epoch: Epoch) -> tuple[Epoch, bool]:
        """Write `epoch` unless one exists: (the epoch now in Redis, whether ours won)."""
        if self.redis.set(EPOCH, epoch.to_json(), nx=True):
            if epoch.lost_at is not None:
                self.redis.hincrby(RECOVERY_COUNTS, "memory_lost", 1)
            return epoch, True
        current = self.read()
        return (current, False) if current is not None else self.begin(epoch)

    def end_recovery(self, epoch: Epoch, at: datetime) -> bool:
        """End the recovery of `epoch` (if it is still the current one and recovering)."""
        done = self.redis.eval(_END_RECOVERY, 1, EPOCH, epoch.id, int(at.timestamp()))
        return int(done) == 1

    def count(self, what: str) -> None:
        """One more `found_sent` (an SMS found at Twilio, not sent again),
        `email_skipped` (an e-mail whose time came before the loss), `sms_skipped` (an
        SMS whose message may have gone by e-mail before it), `reply_skipped`
        (a reply from before the loss that Twilio shows answered: not handled again) or
        `conversation_rebuilt` (a prompt skipped as confirmed after the loss, found at
        Twilio: its conversation opened again)."""
        self.redis.hincrby(RECOVERY_COUNTS, what, 1)

    def counts(self) -> dict[str, int]:
        return counts_of(self.redis.hgetall(RECOVERY_COUNTS))
