"""Phone numbers that opted out of SMS (STOP and Twilio's other opt-out words).

Kept per E.164 number with when and by which word, without expiry: an opt-out is
the customer's standing wish until they opt in again (START) or are erased.

Replies are handled in parallel and a retried or rescued one late, so a STOP may be
handled after a START the customer sent later. Like Twilio, the bridge goes by the
order the customer sent them in: each opt-out and opt-in carries the time its reply
was received, and one older than the last of the other kind changes nothing.

The operator page lists the opted-out numbers (`numbers`) and their records
(`records`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from redis import Redis

from bridge.store import keys
from bridge.store.text import as_text

__all__ = ["OptOutRecord", "OptOuts"]

_OPT_OUT_PREFIX = keys.opt_out("")

# KEYS: opt-out record, opt-in time. ARGV: the reply's time, the opt-out record.
_OPT_OUT = """
local since = tonumber(redis.call('GET', KEYS[2]) or '-1')
if since > tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
return 1
"""

# KEYS: opt-out record, opt-in time. ARGV: the reply's time, the opt-in time's TTL.
_OPT_IN = """
local out = redis.call('GET', KEYS[1])
if out and tonumber(cjson.decode(out)['at']) > tonumber(ARGV[1]) then return -1 end
local since = tonumber(redis.call('GET', KEYS[2]) or '-1')
if tonumber(ARGV[1]) > since then
  redis.call('SET', KEYS[2], ARGV[1], 'EX', tonumber(ARGV[2]))
end
return redis.call('DEL', KEYS[1])
"""


@dataclass(frozen=True, slots=True)
class OptOutRecord:
    """A standing opt-out: the word the customer sent, and when they sent it."""

    word: str
    sent: datetime


class OptOuts:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    def opt_out(self, phone: str, word: str, sent: datetime) -> bool:
        """Record an opt-out the customer sent at `sent`; False if they opted in later."""
        at = int(sent.timestamp())
        record = json.dumps({"word": word, "at": at})
        done = self.redis.eval(_OPT_OUT, 2, keys.opt_out(phone), keys.opt_in(phone), at, record)
        return int(done) == 1

    def opt_in(self, phone: str, sent: datetime) -> bool:
        """Lift the opt-out, unless the customer opted out after `sent`; True if lifted."""
        at = int(sent.timestamp())
        done = self.redis.eval(_OPT_IN, 2, keys.opt_out(phone), keys.opt_in(phone), at,
                               keys.OPT_IN_SECONDS)
        return int(done) == 1

    def is_opted_out(self, phone: str) -> bool:
        return bool(self.redis.exists(keys.opt_out(phone)))

    def numbers(self) -> set[str]:
        """Every opted-out number (SCAN, never KEYS: a large keyspace must not stall)."""
        return {as_text(raw).removeprefix(_OPT_OUT_PREFIX)
                for raw in self.redis.scan_iter(match=_OPT_OUT_PREFIX + "*", count=1000)}

    def records(self, phones: Sequence[str]) -> dict[str, OptOutRecord]:
        """The opt-outs of those of `phones` that opted out, in one round trip."""
        if not phones:
            return {}
        raws = self.redis.mget([keys.opt_out(phone) for phone in phones])
        found = {}
        for phone, raw in zip(phones, raws, strict=True):
            if raw is not None:
                data = json.loads(as_text(raw))
                found[phone] = OptOutRecord(str(data["word"]),
                                            datetime.fromtimestamp(int(data["at"]), UTC))
        return found
