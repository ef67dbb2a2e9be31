"""Exactly once in effect: a message is claimed in Redis before any provider call.

A claim is `in_flight:<token>:<epoch>` while one attempt sends, `done:<outcome>` when
the message was handed over (or failed for good, or was skipped), and absent or
`released` when an attempt failed in a way that certainly sent nothing (so a retry
may claim it again). What an attempt finds decides what it does:

- free: it claims and sends;
- done: someone sent it already; nothing to do (a duplicate job);
- in flight, recently: another attempt is sending right now; nothing to do;
- in flight for longer than `STALE_SECONDS`: that attempt died mid-send, so the
  outcome is unknown. The caller must find out (Twilio lists what it accepted) or
  record it as unknown; it never just sends again.
- in flight, made by a worker that is gone: a claim names the worker process that
  made it (`holder`, its RQ name, whose alive key `bridge.queueing.abandoned` keeps),
  and one whose worker's alive key has lapsed is stale once it is `ORPHAN_SECONDS`
  old, without waiting two minutes: a reminder 30 s before its appointment whose
  worker was killed mid-send is resolved in time. `ORPHAN_SECONDS` is twice the
  provider's request timeout, so a worker that lives on while its key lapsed (its
  Redis away for seconds) has ended its provider call by then. A claim whose holder
  is gone but that is younger is `ORPHANED`: wait until it is old enough (`ripe_at`),
  never drop it, for no one else will finish it.

An e-mail's attempt marks its claim `handing:` (same token, time and worker) just before
the message goes to the mail server (SMTP's DATA, `mark_handing`): an attempt that died
with its claim still `in_flight:` certainly handed nothing over, and its e-mail may be
sent; one that died `handing:` may have, and its e-mail is recorded as unknown, never
sent twice. (An SMS needs no mark: Twilio lists what it accepted.) A claim that names no
worker was made before claims were marked, or outside a worker: it is judged unknown.

With replicas asked (`OABRIDGE_REDIS_MIN_REPLICAS`), a claim is ours only once that
many replicas acknowledged it (`bridge.store.replication`): a failover to a replica
that never saw it would let another attempt claim and send the message again. A claim
not acknowledged in time is released at once and `NotReplicatedError` is raised; the
provider is not called, and the send is retried like any other Redis error.

A release gives back only a claim that is still ours: it compares the stored value with
the claim's own (`in_flight:<token>:<since>`) in one script. After a failover between a
claim and its release, the new primary may hold another attempt's claim or its
`done:sent`; writing `released` over that would let a third attempt send again. The
caller passes the claim it holds; without it, the claim this `Claims` granted for that
message last (each process keeps the values of the claims it holds, until they are
finished or released), so a release never writes over a claim it did not make.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from redis import Redis

from bridge.store import keys
from bridge.store.replication import (
    NONE_ASKED,
    NotReplicatedError,
    Replication,
    run_replicated,
)
from bridge.store.text import as_text

__all__ = ["ORPHAN_SECONDS", "STALE_SECONDS", "Claim", "ClaimLostError", "ClaimState",
           "Claims", "NotReplicatedError"]

_IN_FLIGHT = "in_flight"
_HANDING = "handing"


class ClaimLostError(Exception):
    """The claim an attempt meant to mark is no longer its own: it must not send."""


#: An in-flight claim older than this belongs to an attempt that died.
STALE_SECONDS = 120
#: An in-flight claim this old whose worker's alive key is gone belongs to an attempt
#: that died: twice the provider's request timeout (`bridge.outbound.sms`, 10 s).
ORPHAN_SECONDS = 20

_CLAIM = """
local current = redis.call('GET', KEYS[1])
if (not current) or current == 'released' then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', tonumber(ARGV[2]))
  return ''
end
return current
"""

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], 'released', 'EX', tonumber(ARGV[2]))
  return 1
end
return 0
"""

_TAKE_OVER = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'EX', tonumber(ARGV[3]))
  return 1
end
return 0
"""


class ClaimState(Enum):
    CLAIMED = "claimed"  # ours: go ahead
    DONE = "done"  # handled before
    BUSY = "busy"  # another attempt is at it now
    ORPHANED = "orphaned"  # its worker is gone, too recently to tell: wait (`ripe_at`)
    STALE = "stale"  # an attempt died mid-send: outcome unknown


@dataclass(frozen=True, slots=True)
class Claim:
    state: ClaimState
    token: str
    since: int  # when the current holder claimed it (epoch seconds)
    raw: str
    handing: bool = False  # its attempt had begun handing the message over (`mark_handing`)
    worker: str = ""  # the worker that made it; "" before claims named theirs

    @property
    def sent(self) -> bool:
        """Done, and handed over: the provider has the message."""
        return self.raw == "done:sent"

    @property
    def ripe_at(self) -> int:
        """When an orphaned claim is old enough to be judged stale (epoch seconds)."""
        return self.since + ORPHAN_SECONDS + 1


class Claims:
    def __init__(self, redis: Redis, ttl_seconds: int,
                 replication: Replication = NONE_ASKED, holder: str | None = None) -> None:
        self.redis = redis
        self.ttl = ttl_seconds
        self.replication = replication
        #: The worker process whose alive key vouches for the claims made here (its RQ
        #: name), set once it is known; None (a command, a test's in-process worker):
        #: only the age of a claim tells it stale.
        self.holder = holder
        self._claim = redis.register_script(_CLAIM)
        self._take_over = redis.register_script(_TAKE_OVER)
        self._release = redis.register_script(_RELEASE)
        #: The value of each claim this object granted and that is not finished or
        #: released yet, by message id (a batch's threads share it).
        self._held: dict[str, str] = {}
        self._lock = threading.Lock()

    def _value(self, token: str, stamp: int) -> str:
        held_by = f":{self.holder}" if self.holder else ""
        return f"{_IN_FLIGHT}:{token}:{stamp}{held_by}"

    def claim(self, message_id: str, now: datetime) -> Claim:
        token = uuid.uuid4().hex
        stamp = int(now.timestamp())
        value = self._value(token, stamp)
        raw, acked = run_replicated(self.redis, self._claim, [keys.send_claim(message_id)],
                                    [value, self.ttl], self.replication)
        found = as_text(raw)
        if not found:
            claim = Claim(ClaimState.CLAIMED, token, stamp, value)
            self._hold(message_id, value)
            self._replicated(message_id, claim, acked)
            return claim
        if found.startswith("done:"):
            return Claim(ClaimState.DONE, "", 0, found)
        return self._in_flight(found, stamp)

    def peek(self, message_id: str, now: datetime) -> Claim | None:
        """The message's claim as `claim` would judge it, without claiming: None when
        free (never claimed, or released)."""
        raw = self.redis.get(keys.send_claim(message_id))
        found = "" if raw is None else as_text(raw)
        if not found or found == "released":
            return None
        if found.startswith("done:"):
            return Claim(ClaimState.DONE, "", 0, found)
        return self._in_flight(found, int(now.timestamp()))

    def _in_flight(self, found: str, stamp: int) -> Claim:
        """Another attempt's claim, judged by its age and whether its worker lives."""
        phase, token, rest = found.split(":", 2)
        since_text, _, worker = rest.partition(":")
        since = int(since_text)
        handing = phase == _HANDING
        age = stamp - since
        if age > STALE_SECONDS:
            return Claim(ClaimState.STALE, token, since, found, handing, worker)
        if worker and not self.redis.exists(keys.worker_alive(worker)):
            state = ClaimState.STALE if age >= ORPHAN_SECONDS else ClaimState.ORPHANED
            return Claim(state, token, since, found, handing, worker)
        return Claim(ClaimState.BUSY, token, since, found, handing, worker)

    def mark_handing(self, message_id: str) -> None:
        """This process's claim of the message says its attempt now hands the message
        over (see the module); raises `ClaimLostError` when the claim is no longer ours,
        and `NotReplicatedError` (the mark given back) when too few replicas saw it."""
        held = self._drop(message_id)
        if held is None or not held.startswith(_IN_FLIGHT + ":"):
            raise ClaimLostError(f"no claim of {message_id} held here")
        marked = _HANDING + held[len(_IN_FLIGHT):]
        won, acked = run_replicated(self.redis, self._take_over, [keys.send_claim(message_id)],
                                    [held, marked, self.ttl], self.replication)
        if not int(won):
            raise ClaimLostError(f"the claim of {message_id} is another attempt's now")
        self._hold(message_id, marked)
        if acked < self.replication.replicas:
            self.release(message_id)
            self.replication.check("send", acked)

    def take_over(self, message_id: str, stale: Claim, now: datetime) -> Claim | None:
        """Make a stale claim ours (once the unknown outcome is resolved); None if lost."""
        token = uuid.uuid4().hex
        value = self._value(token, int(now.timestamp()))
        won, acked = run_replicated(self.redis, self._take_over, [keys.send_claim(message_id)],
                                    [stale.raw, value, self.ttl], self.replication)
        if not int(won):
            return None
        claim = Claim(ClaimState.CLAIMED, token, int(now.timestamp()), value)
        self._hold(message_id, value)
        self._replicated(message_id, claim, acked)
        return claim

    def _replicated(self, message_id: str, claim: Claim, acked: int) -> None:
        """A claim too few replicas saw is given back before anything is sent."""
        if acked < self.replication.replicas:
            self.release(message_id, claim)
            self.replication.check("send", acked)

    def _hold(self, message_id: str, value: str) -> None:
        with self._lock:
            self._held[message_id] = value

    def _drop(self, message_id: str) -> str | None:
        with self._lock:
            return self._held.pop(message_id, None)

    def finish(self, message_id: str, outcome: str) -> None:
        self._drop(message_id)
        self.redis.set(keys.send_claim(message_id), f"done:{outcome}", ex=self.ttl)

    def release(self, message_id: str, claim: Claim | None = None) -> bool:
        """Nothing was sent (a transient failure): a retry may claim it again. Only a
        claim still ours is released (`claim`, else the one this object granted last for
        the message); True if it was. One this object never granted is left alone."""
        held = self._drop(message_id)
        value = claim.raw if claim is not None else held
        if value is None or not value.startswith((_IN_FLIGHT + ":", _HANDING + ":")):
            return False
        return bool(int(self._release(keys=[keys.send_claim(message_id)],
                                      args=[value, self.ttl])))
