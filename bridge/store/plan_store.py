"""The durable plan: snapshots, scheduled messages and what was already dispatched.

`PlanStore.observe` takes observed appointment states (from a poll page, a webhook
sync or a reconciliation) and, in one optimistic Redis transaction per batch,
decides with the pure domain (`plan_change`) and writes the result: the winning
snapshot, the appointment's scheduled messages replaced by exactly the desired set,
one-off notices added, events and skips appended to their streams. A concurrent
writer touching the same appointments makes the transaction retry, so two jobs
racing on one appointment cannot interleave. A message key that was dispatched is
never scheduled again, so a duplicate or late observation cannot send it twice.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from redis import Redis, WatchError
from redis.client import Pipeline
from redis.typing import EncodableT, FieldT

from bridge.domain.events import Event, EventKind
from bridge.domain.messages import message_key
from bridge.domain.plan import (
    MessageKind,
    PlanChange,
    PlannedMessage,
    PlanSettings,
    Skipped,
    plan_change,
    unfold_announced,
)
from bridge.domain.snapshot import Snapshot
from bridge.store import keys
from bridge.store.counters import counts_of
from bridge.store.observation import Observation
from bridge.store.planned_json import (
    correlation_of,
    planned_from_json,
    planned_to_json,
    previous_start_of,
)
from bridge.store.skips import Skip, SkipLog
from bridge.store.text import as_text

__all__ = ["PlanStore", "decide"]

#: The dispatched marker of a notice a reply's answer already told (`mark_answered`).
_ANSWERED = "answered_by_reply"

MAX_ATTEMPTS = 20

_PLAN_AGAIN = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
return 1
"""


def _ttl_after(start: datetime, now: datetime) -> int:
    """Seconds to keep a record about an appointment: until a week after it."""
    return max(int((start - now).total_seconds()), 0) + keys.AFTER_APPOINTMENT_SECONDS


def _ttl(message: PlannedMessage, now: datetime) -> int:
    return _ttl_after(message.start, now)


def _skip_key(skip: Skipped) -> str:
    return message_key(skip.appointment_id, skip.kind, skip.variant, skip.start)


Decision = tuple[Snapshot, PlanChange, set[str]]


def decide(
    stored: Sequence[bytes | str | None],
    schedules: Sequence[bytes | str | None],
    batch: Sequence[Observation],
    settings: PlanSettings,
    now: datetime,
) -> list[Decision]:
    """The accepted changes of a batch against the stored snapshot texts (no I/O).

    An observation whose text is the stored text is the same state seen again: it is
    dropped without building, decoding or planning anything, which keeps a large
    unchanged poll or reconciliation cheap.
    """
    decisions: list[Decision] = []
    for raw, schedule, seen in zip(stored, schedules, batch, strict=True):
        if raw is not None and as_text(raw) == seen.text:
            continue
        new = seen.make()
        old = Snapshot.from_json(raw) if raw is not None else None
        change = plan_change(old, new, settings, now)
        if change.accepted:
            decisions.append((new, change, set(json.loads(schedule)) if schedule else set()))
    return decisions


class PlanStore:
    """Reads and writes the plan in Redis; all decisions come from `bridge.domain`."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self._plan_again = redis.register_script(_PLAN_AGAIN)

    def snapshot(self, appointment_id: int) -> Snapshot | None:
        raw = self.redis.get(keys.snapshot(appointment_id))
        return Snapshot.from_json(raw) if raw is not None else None

    def snapshots(self, appointment_ids: Sequence[int]) -> dict[int, Snapshot]:
        if not appointment_ids:
            return {}
        raws = self.redis.mget([keys.snapshot(i) for i in appointment_ids])
        return {i: Snapshot.from_json(r) for i, r in zip(appointment_ids, raws, strict=True) if r}

    def planned(self, message_key: str) -> PlannedMessage | None:
        found = self.planned_with_previous_start(message_key)
        return found[0] if found else None

    def planned_with_previous_start(
        self, message_key: str
    ) -> tuple[PlannedMessage, datetime | None] | None:
        """A planned message, and for a rescheduled notice the start it moved from."""
        raw = self.redis.get(keys.planned(message_key))
        if raw is None:
            return None
        text = as_text(raw)
        return planned_from_json(text), previous_start_of(text)

    def correlation(self, message_key: str) -> str | None:
        raw = self.redis.get(keys.planned(message_key))
        return None if raw is None else correlation_of(as_text(raw))

    def scheduled(self, limit: int | None = None) -> list[PlannedMessage]:
        """Messages still waiting to be dispatched, soonest first (the first `limit`)."""
        last = -1 if limit is None else limit - 1
        message_keys = [as_text(k) for k in self.redis.zrange(keys.SCHEDULE, 0, last)]
        raws = self.redis.mget([keys.planned(k) for k in message_keys]) if message_keys else []
        return [planned_from_json(raw) for raw in raws if raw is not None]

    def due(self, now: datetime, limit: int = 500) -> list[PlannedMessage]:
        """Messages whose send time has come, soonest first (at most `limit`)."""
        message_keys = [
            as_text(k)
            for k in self.redis.zrangebyscore(keys.SCHEDULE, "-inf", now.timestamp(), 0, limit)
        ]
        if not message_keys:
            return []
        raws = self.redis.mget([keys.planned(k) for k in message_keys])
        orphans = [k for k, raw in zip(message_keys, raws, strict=True) if raw is None]
        if orphans:  # their plan record expired: nothing left to send
            self.redis.zrem(keys.SCHEDULE, *orphans)
        return [planned_from_json(raw) for raw in raws if raw is not None]

    def mark_dispatched(self, messages: Sequence[PlannedMessage], now: datetime) -> None:
        """Take messages off the schedule for good, once their send jobs are queued."""
        if not messages:
            return
        with self.redis.pipeline() as pipe:
            for message in messages:
                pipe.zrem(keys.SCHEDULE, message.key)
                pipe.set(keys.dispatched(message.key), "dispatched", ex=_ttl(message, now))
            pipe.execute()

    def plan_again(self, message_key: str, at: datetime) -> bool:
        """Put a dispatched message back on the schedule, due at `at`: its send was held
        back (`bridge.sending.holds`). Only while its plan record exists (an expired one
        has nothing left to send); the dispatched marker stays, so no observation plans
        it anew or takes it off. Twice is harmless (one member, the later time); a
        message sent meanwhile is found done by its claim. True if it was put back."""
        return bool(int(self._plan_again(keys=[keys.planned(message_key), keys.SCHEDULE],
                                         args=[message_key, at.timestamp()])))

    def mark_answered(self, notice_key: str) -> None:
        """A notice the answer to a customer's reply already told them (their own
        cancellation): it is never dispatched, as if it had been."""
        self.redis.set(keys.dispatched(notice_key), _ANSWERED,
                       ex=keys.AFTER_APPOINTMENT_SECONDS)

    def unmark_answered(self, notice_key: str) -> None:
        """Undo `mark_answered` (the cancel it was for failed); a notice dispatched in
        the meantime keeps its own marker."""
        marker = keys.dispatched(notice_key)
        if self.redis.get(marker) == _ANSWERED.encode():
            self.redis.delete(marker)

    def scheduled_count(self) -> int:
        return int(self.redis.zcard(keys.SCHEDULE))

    def event_counts(self) -> dict[str, int]:
        """How many events of each kind the plan found since the start (for /metrics)."""
        return counts_of(self.redis.hgetall(keys.EVENT_COUNTS))

    def known_in(self, agenda_id: int, start: datetime, end: datetime) -> set[int]:
        """Ids of the agenda's known (not removed) appointments starting in [start, end]:
        what a reconciliation expects the API to list."""
        index = self.redis.zrangebyscore(keys.agenda_index(agenda_id),
                                         start.timestamp(), end.timestamp())
        return {int(as_text(i)) for i in index}

    def observe(
        self,
        observed: Sequence[Snapshot | Observation],
        settings: PlanSettings,
        now: datetime,
    ) -> list[PlanChange]:
        """Record observed states; returns the accepted changes (with their events)."""
        latest: dict[int, Observation] = {}
        for item in observed:  # within one batch the last observation of an id counts
            seen = item if isinstance(item, Observation) else Observation.of_snapshot(item)
            latest[seen.appointment_id] = seen
        batch = list(latest.values())
        for _attempt in range(MAX_ATTEMPTS):
            try:
                return self._observe_once(batch, settings, now)
            except WatchError:
                continue
        raise RuntimeError(f"plan store: {MAX_ATTEMPTS} conflicting writers, giving up")

    def _observe_once(
        self, batch: list[Observation], settings: PlanSettings, now: datetime
    ) -> list[PlanChange]:
        if not batch:
            return []
        ids = [s.appointment_id for s in batch]
        snap_keys = [keys.snapshot(i) for i in ids]
        sched_keys = [keys.appointment_schedule(i) for i in ids]
        with self.redis.pipeline() as pipe:
            pipe.watch(*snap_keys, *sched_keys)  # type: ignore[no-untyped-call]
            raws = pipe.mget(snap_keys + sched_keys)
            accepted = decide(raws[: len(ids)], raws[len(ids) :], batch, settings, now)
            if not accepted:
                pipe.reset()
                return []
            candidates = sorted(
                {m.key for _, c, _ in accepted for m in (*c.schedule, *c.notices)}
                | {_skip_key(skip) for _, c, _ in accepted for skip in c.skipped}
                | {k for _, _, old_keys in accepted for k in old_keys}
            )
            done = self._dispatched(pipe, candidates)
            accepted = [(new, unfold_announced(change, done), old_keys)
                        for new, change, old_keys in accepted]
            pipe.multi()
            for new, change, old_keys in accepted:
                self._write(pipe, new, change, old_keys, done, now)
            pipe.execute()
        return [change for _, change, _ in accepted]

    @staticmethod
    def _dispatched(pipe: Pipeline, message_keys: list[str]) -> set[str]:
        if not message_keys:
            return set()
        marker_keys = [keys.dispatched(k) for k in message_keys]
        pipe.watch(*marker_keys)  # type: ignore[no-untyped-call]
        flags = pipe.mget(marker_keys)
        return {k for k, flag in zip(message_keys, flags, strict=True) if flag is not None}

    @staticmethod
    def _write(
        pipe: Pipeline,
        new: Snapshot,
        change: PlanChange,
        old_keys: set[str],
        done: set[str],
        now: datetime,
    ) -> None:
        pipe.set(keys.snapshot(new.appointment_id), new.to_json(),
                 ex=_ttl_after(new.start, now) + keys.SNAPSHOT_EXTRA_SECONDS)
        index = keys.agenda_index(new.agenda_id)
        if new.removed:
            pipe.zrem(index, new.appointment_id)
        else:
            pipe.zadd(index, {str(new.appointment_id): new.start.timestamp()})
        wanted = {m.key: m for m in change.schedule if m.key not in done}
        for gone in old_keys - wanted.keys() - done:  # a dispatched one is in flight: keep it
            pipe.zrem(keys.SCHEDULE, gone)
            pipe.delete(keys.planned(gone))
        for key, message in wanted.items():
            pipe.set(keys.planned(key), planned_to_json(message), ex=_ttl(message, now))
            pipe.zadd(keys.SCHEDULE, {key: message.send_at.timestamp()})
        pipe.set(keys.appointment_schedule(new.appointment_id), json.dumps(sorted(wanted)))
        moved_from = {e.snapshot.start: e.previous_start for e in change.events
                      if e.kind is EventKind.RESCHEDULED}
        for notice in change.notices:
            if notice.key in done:
                continue
            previous = moved_from.get(notice.start) if notice.kind is MessageKind.RESCHEDULED \
                else None
            pipe.set(keys.planned(notice.key), planned_to_json(notice, previous),
                     ex=_ttl(notice, now))
            pipe.zadd(keys.SCHEDULE, {notice.key: notice.send_at.timestamp()}, nx=True)
        for event in change.events:
            pipe.hincrby(keys.EVENT_COUNTS, event.kind.value, 1)
            pipe.xadd(keys.EVENTS, _event_fields(event, now), maxlen=keys.STREAM_LENGTH,
                      approximate=True)
        for skip in change.skipped:
            skip_key = _skip_key(skip)
            if skip_key in done:  # sent or skipped before: record a key's fate once
                continue
            pipe.set(keys.dispatched(skip_key), "skipped", ex=_ttl_after(skip.start, now))
            SkipLog.record_in(pipe, Skip(skip.appointment_id, skip.kind.value, skip.variant,
                                         skip.start, skip.reason), now)


def _event_fields(event: Event, now: datetime) -> dict[FieldT, EncodableT]:
    fields: dict[FieldT, EncodableT] = {
        "kind": event.kind.value,
        "appointment": event.appointment_id,
        "start": int(event.snapshot.start.timestamp()),
        "at": int(now.timestamp()),
    }
    if event.previous_start is not None:
        fields["previous_start"] = int(event.previous_start.timestamp())
    return fields
