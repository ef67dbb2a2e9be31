"""Bookable slots and free blocks, as pure functions over plain data.

A "lane" is one resource (or, for `capacity` types, the type itself) on one day: the
availability windows that the weekly schedule and single blocks open, and the intervals
already taken by appointments (start up to `BlockedTime`, so the buffer counts). A slot of
the type's duration is bookable when it starts on the agenda's grid inside a window, its
taken interval (duration + buffer) never meets `capacity` existing appointments at once,
and it lies inside the type's lead-time range. All times are naive Amsterdam wall-clock;
lead times are compared in UTC so the DST change cannot shift them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import pairwise

from sandbox.booking.localtime import to_local, to_utc


@dataclass(frozen=True, order=True)
class Interval:
    """A half-open wall-clock interval [start, end)."""

    start: datetime
    end: datetime


@dataclass(frozen=True)
class SlotRules:
    """What a slot of one appointment type must satisfy."""

    duration: timedelta
    buffer: timedelta
    grid_minutes: int
    capacity: int
    earliest: datetime
    """Aware UTC: now + MinTimeBeforeAppointment."""
    latest: datetime | None
    """Aware UTC: now + MaxTimeBeforeAppointment, or None for no maximum."""


@dataclass
class Lane:
    """One resource (None for a capacity type) on one day."""

    day: date
    resource_id: int | None
    windows: list[Interval] = field(default_factory=list)
    busy: list[Interval] = field(default_factory=list)


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Union of intervals, sorted, touching ones joined."""
    merged: list[Interval] = []
    for item in sorted(intervals):
        if item.end <= item.start:
            continue
        if merged and item.start <= merged[-1].end:
            last = merged[-1]
            merged[-1] = Interval(last.start, max(last.end, item.end))
        else:
            merged.append(item)
    return merged


def window(day: date, start: time, end: time) -> Interval:
    return Interval(datetime.combine(day, start), datetime.combine(day, end))


def peak_load(busy: Sequence[Interval], span: Interval) -> int:
    """The most busy intervals overlapping at any one moment inside `span`."""
    overlapping = [b for b in busy if b.start < span.end and span.start < b.end]
    if len(overlapping) <= 1:
        return len(overlapping)
    points = [span.start] + [b.start for b in overlapping if b.start > span.start]
    return max(sum(1 for b in overlapping if b.start <= p < b.end) for p in points)


def _within_lead_time(start: datetime, rules: SlotRules) -> bool:
    moment = to_utc(start)
    if moment < rules.earliest:
        return False
    return rules.latest is None or moment <= rules.latest


def _first_on_grid(moment: datetime, grid_minutes: int) -> datetime:
    """The first grid point (counted from midnight) at or after `moment`."""
    midnight = datetime.combine(moment.date(), time())
    seconds = int((moment - midnight).total_seconds())
    grid = grid_minutes * 60
    return midnight + timedelta(seconds=-(-seconds // grid) * grid)


def is_free(lane: Lane, start: datetime, rules: SlotRules) -> bool:
    """Whether the lane can take one more appointment at `start` (ignores windows)."""
    taken = Interval(start, start + rules.duration + rules.buffer)
    return peak_load(lane.busy, taken) < rules.capacity


def slot_starts(lane: Lane, rules: SlotRules) -> list[datetime]:
    """Every bookable start time in the lane, in order."""
    starts: list[datetime] = []
    step = timedelta(minutes=rules.grid_minutes)
    for win in merge(lane.windows):
        start = _first_on_grid(win.start, rules.grid_minutes)
        while start + rules.duration <= win.end:
            if _within_lead_time(start, rules) and is_free(lane, start, rules):
                starts.append(start)
            start += step
    return starts


def _subtract(base: Interval, taken: Sequence[Interval]) -> list[Interval]:
    free: list[Interval] = []
    cursor = base.start
    for item in merge(taken):
        if item.end <= cursor or item.start >= base.end:
            continue
        if item.start > cursor:
            free.append(Interval(cursor, item.start))
        cursor = max(cursor, item.end)
    if cursor < base.end:
        free.append(Interval(cursor, base.end))
    return free


def _full_intervals(busy: Sequence[Interval], capacity: int) -> list[Interval]:
    """Stretches where the lane already holds `capacity` appointments."""
    edges = sorted({b.start for b in busy} | {b.end for b in busy})
    full = [
        Interval(a, b)
        for a, b in pairwise(edges)
        if sum(1 for x in busy if x.start <= a < x.end) >= capacity
    ]
    return merge(full)


def free_blocks(lane: Lane, rules: SlotRules) -> list[Interval]:
    """Free stretches of the lane's windows long enough for one appointment.

    The start of a block is clipped to the earliest allowed lead time; blocks starting
    after the latest allowed start are dropped.
    """
    full = _full_intervals(lane.busy, rules.capacity)
    earliest = to_local(rules.earliest)
    blocks: list[Interval] = []
    for win in merge(lane.windows):
        for piece in _subtract(win, full):
            start = piece.start
            if start < earliest:
                start = _first_on_grid(earliest, rules.grid_minutes)
            if rules.latest is not None and to_utc(start) > rules.latest:
                continue
            if piece.end - start >= rules.duration:
                blocks.append(Interval(start, piece.end))
    return blocks
