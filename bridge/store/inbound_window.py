"""The window of Twilio's inbound messages one reconciliation reads, and its watermark.

The inbound reconciliation finds replies the ingress missed. Listing Twilio's newest
messages with no date bound would find every old reply again whenever Redis no longer
knows it: after an erasure (the person came back within minutes) or on an emptied Redis
(old senders were answered again). So a scan reads only what was sent since the last
complete scan began (the watermark), less `OVERLAP_SECONDS` for clocks that differ and
messages Twilio lists late; and never anything older than the retention.

Without a watermark (a new deployment, or an emptied Redis) the first window is the
last `FIRST_WINDOW_INTERVALS` scan intervals: what one or two missed scans could have
missed. A reply older than that is never handled again; one answered within it before
Redis was emptied may be answered a second time (the bridge cannot know it was).

A watermark ahead of this scan's clock (set by a worker whose clock runs ahead) is not
trusted: the window is then the first window, and it never starts later than
`OVERLAP_SECONDS` before now. Starting at the watermark would read nothing until the
clock caught up; starting at now less the overlap would pass over what arrived between
two scans (the watermark only moves forward, so it stays ahead for that long).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from redis import Redis

from bridge.store import keys
from bridge.store.text import as_text

__all__ = ["FIRST_WINDOW_INTERVALS", "OVERLAP_SECONDS", "InboundWindow"]

#: How far before the watermark a scan starts.
OVERLAP_SECONDS = 120
#: Without a watermark, a scan reads this many intervals back.
FIRST_WINDOW_INTERVALS = 2

# The watermark only moves forward, also when two scans finish out of order.
_ADVANCE = """
local old = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > old then redis.call('SET', KEYS[1], ARGV[1]) end
return 1
"""


class InboundWindow:
    def __init__(self, redis: Redis, interval_seconds: int, retention_seconds: int) -> None:
        self.redis = redis
        self.interval = interval_seconds
        self.retention = retention_seconds

    def watermark(self) -> int | None:
        raw = self.redis.get(keys.INBOUND_WATERMARK)
        return int(as_text(raw)) if raw is not None else None

    def start(self, now: datetime) -> datetime:
        """The oldest moment a scan beginning `now` reads messages from."""
        mark = self.watermark()
        if mark is None or mark > now.timestamp():  # none, or set by a clock running ahead
            since = now - timedelta(seconds=FIRST_WINDOW_INTERVALS * self.interval)
        else:
            since = datetime.fromtimestamp(mark - OVERLAP_SECONDS, now.tzinfo)
        since = min(since, now - timedelta(seconds=OVERLAP_SECONDS))
        # Whole seconds, as Twilio's `date_sent` has them: a boundary message stays in.
        return max(since, now - timedelta(seconds=self.retention)).replace(microsecond=0)

    def complete(self, began: datetime) -> None:
        """A scan that began at `began` saw everything in its window."""
        self.redis.eval(_ADVANCE, 1, keys.INBOUND_WATERMARK, int(began.timestamp()))
