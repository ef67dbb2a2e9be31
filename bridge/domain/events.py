"""What changed between two observations of an appointment, as typed events.

`diff` compares the stored snapshot with a new observation and names the changes
that matter to customers. It yields nothing when the observation does not win
(`supersedes`), so duplicates and stale reads cause nothing.

Choices:
- First sight of a live appointment is CREATED. First sight of one that is already
  cancelled, disabled or deleted yields nothing: the bridge never told the customer
  about it, so there is nothing to withdraw. First sight of a tombstone yields
  nothing either.
- live → not live (label CANCELLED, status DISABLED or DELETED) is CANCELLED and
  only that: once cancelled, a simultaneous move or confirmation is moot.
- A vanished appointment (tombstone) is DELETED, whether it was live or not.
- not live → live (a cancellation undone upstream) is CREATED: it is a new
  appointment as far as messages go.
- Between two live states: a moved start is RESCHEDULED (with the previous start),
  PENDING → APPROVED is CONFIRMED, and any other relevant change is CHANGED:
  duration (so a plain move, which shifts the finish too, is only RESCHEDULED),
  customer, appointment type, resources, agenda, status or another label change.
  Several may come at once, in that order.
- Between two states that are both not live, a relevant change is CHANGED.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from bridge.domain.snapshot import Snapshot, supersedes
from bridge.domain.status import Label

__all__ = ["Event", "EventKind", "diff", "diff_accepted"]


class EventKind(Enum):
    CREATED = "created"
    RESCHEDULED = "rescheduled"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    DELETED = "deleted"
    CHANGED = "changed"


@dataclass(frozen=True, slots=True)
class Event:
    """One change to an appointment; `snapshot` is the state after it."""

    kind: EventKind
    appointment_id: int
    snapshot: Snapshot
    previous_start: datetime | None = None


def diff(old: Snapshot | None, new: Snapshot) -> tuple[Event, ...]:
    """The events that replacing `old` with `new` means; none if `new` does not win."""
    if not supersedes(new, old):
        return ()
    return diff_accepted(old, new)


def diff_accepted(old: Snapshot | None, new: Snapshot) -> tuple[Event, ...]:
    """`diff` for a caller that already knows `supersedes(new, old)` holds."""
    if old is None:
        if new.is_live:
            return (Event(EventKind.CREATED, new.appointment_id, new),)
        return ()
    if new.removed:
        return (Event(EventKind.DELETED, new.appointment_id, new),)
    was_live, is_live = old.is_live, new.is_live
    if was_live and not is_live:
        return (Event(EventKind.CANCELLED, new.appointment_id, new),)
    if is_live and not was_live:
        return (Event(EventKind.CREATED, new.appointment_id, new),)
    if not is_live:
        return _changed_only(old, new)
    return _live_changes(old, new)


def _live_changes(old: Snapshot, new: Snapshot) -> tuple[Event, ...]:
    events: list[Event] = []
    if new.start != old.start:
        events.append(Event(EventKind.RESCHEDULED, new.appointment_id, new, old.start))
    confirmed = old.label is Label.PENDING and new.label is Label.APPROVED
    if confirmed:
        events.append(Event(EventKind.CONFIRMED, new.appointment_id, new))
    if _other_change(old, new, label_counts=not confirmed):
        events.append(Event(EventKind.CHANGED, new.appointment_id, new))
    return tuple(events)


def _changed_only(old: Snapshot, new: Snapshot) -> tuple[Event, ...]:
    if new.start != old.start or _other_change(old, new, label_counts=True):
        return (Event(EventKind.CHANGED, new.appointment_id, new),)
    return ()


def _other_change(old: Snapshot, new: Snapshot, *, label_counts: bool) -> bool:
    return (
        (label_counts and new.label is not old.label)
        or new.finish - new.start != old.finish - old.start
        or new.customer_id != old.customer_id
        or new.appointment_type_id != old.appointment_type_id
        or new.resource_ids != old.resource_ids
        or new.agenda_id != old.agenda_id
        or new.status is not old.status
    )
