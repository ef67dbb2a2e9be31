"""What the bridge remembers of one appointment, and which observation wins.

A `Snapshot` keeps only the fields that decide which messages go out (when, to
whom, in what state), so comparing two observations is cheap and a change the
customer never hears about (a renamed note) triggers nothing. Snapshots are stored
per appointment (up to 100,000 of them), hence the compact JSON form: one array,
datetimes as whole epoch seconds (the API's grain), enums as their numbers.

All datetimes are aware, in UTC whole seconds (`whole_second_utc`), so a fresh
observation and a stored one compare equal when nothing changed. Building a snapshot
from the booking API's appointment is the edge's work (`bridge.sync.snapshots`).

Polls, webhooks and retries deliver observations late, twice or out of order;
`supersedes` decides whether one may replace what is stored.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from bridge.domain.status import Label, RecordStatus

__all__ = ["Snapshot", "snapshot_json", "supersedes", "whole_second_utc"]

_FORMAT_VERSION = 1
_FIELD_COUNT = 13
_LABELS = {int(member): member for member in Label}
_STATUSES = {int(member): member for member in RecordStatus}
# Stateless and built once: json.dumps with separators builds a new one per call.
_ENCODER = json.JSONEncoder(separators=(",", ":"))
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The relevant state of one appointment as last seen.

    `removed` marks a tombstone: the appointment vanished upstream (deleted). A
    tombstone keeps the last known fields when there were any (`as_removed`).
    `resource_ids` (sorted) is an addition to the fields messages need: a change of
    practitioner is worth a CHANGED event.
    """

    appointment_id: int
    agenda_id: int
    start: datetime
    finish: datetime
    label: Label
    status: RecordStatus
    updated: datetime | None
    created: datetime | None
    customer_id: int | None
    appointment_type_id: int | None
    removed: bool = False
    resource_ids: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        for moment in (self.start, self.finish, self.updated, self.created):
            if moment is not None and moment.tzinfo is None:
                raise ValueError(
                    f"snapshot of appointment {self.appointment_id}: datetimes must be aware"
                )

    @classmethod
    def tombstone(cls, appointment_id: int, agenda_id: int) -> Snapshot:
        """A removed appointment of which nothing else is known.

        Its start and finish are the epoch, its label CANCELLED and status DELETED:
        placeholders that no rule reads, since a tombstone is never live. Prefer
        `previous.as_removed()` when a previous snapshot exists.
        """
        return cls(
            appointment_id=appointment_id,
            agenda_id=agenda_id,
            start=_EPOCH,
            finish=_EPOCH,
            label=Label.CANCELLED,
            status=RecordStatus.DELETED,
            updated=None,
            created=None,
            customer_id=None,
            appointment_type_id=None,
            removed=True,
        )

    def as_removed(self) -> Snapshot:
        """This appointment as a tombstone, keeping its last known fields."""
        return replace(self, removed=True)

    @property
    def is_live(self) -> bool:
        """Whether the appointment still takes place: not removed, enabled, not cancelled."""
        return (
            not self.removed
            and self.status is RecordStatus.ENABLED
            and self.label is not Label.CANCELLED
        )

    def to_json(self) -> str:
        """Compact JSON: a versioned array, datetimes as epoch seconds."""
        return snapshot_json(
            self.appointment_id, self.agenda_id,
            int(self.start.timestamp()), int(self.finish.timestamp()),
            int(self.label), int(self.status),
            None if self.updated is None else int(self.updated.timestamp()),
            None if self.created is None else int(self.created.timestamp()),
            self.customer_id, self.appointment_type_id, self.removed, self.resource_ids,
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> Snapshot:
        """The snapshot `to_json` wrote; raises `ValueError` on anything else."""
        try:
            fields = json.loads(text)
            if type(fields) is not list or len(fields) != _FIELD_COUNT:
                raise ValueError(f"expected an array of {_FIELD_COUNT}")
            (version, ident, agenda, start, finish, label, status) = fields[:7]
            (updated, created, customer, kind, removed, resources) = fields[7:]
            if version != _FORMAT_VERSION:
                raise ValueError(f"unknown version {version!r}")
            if not (type(ident) is type(agenda) is type(start) is type(finish) is int):
                raise ValueError("ids and times must be integers")
            if type(resources) is not list or not all(type(item) is int for item in resources):
                raise ValueError("resource ids must be integers")
            return cls(
                ident,
                agenda,
                _from_epoch(start),
                _from_epoch(finish),
                _LABELS[label],
                _STATUSES[status],
                None if updated is None else _from_epoch(_int(updated)),
                None if created is None else _from_epoch(_int(created)),
                None if customer is None else _int(customer),
                None if kind is None else _int(kind),
                removed == 1,
                tuple(resources),
            )
        except (ValueError, TypeError, KeyError, OverflowError, OSError) as exc:
            raise ValueError(f"not a stored snapshot: {exc}") from None


def snapshot_json(
    appointment_id: int,
    agenda_id: int,
    start: int,
    finish: int,
    label: int,
    status: int,
    updated: int | None,
    created: int | None,
    customer_id: int | None,
    appointment_type_id: int | None,
    removed: bool,
    resource_ids: Sequence[int],
) -> str:
    """The stored form of a snapshot from its fields (times in epoch seconds): one
    encoder for `Snapshot.to_json` and for the edge, which compares this text with the
    stored one without building a snapshot (most of a large poll's work)."""
    return _ENCODER.encode(
        [
            _FORMAT_VERSION, appointment_id, agenda_id, start, finish, label, status,
            updated, created, customer_id, appointment_type_id, 1 if removed else 0,
            list(resource_ids),
        ]
    )


def supersedes(new: Snapshot, old: Snapshot | None) -> bool:
    """Whether the observation `new` may replace the stored `old`.

    - Nothing stored: `new` wins.
    - A stored tombstone is final: nothing replaces it (upstream never reuses ids,
      so a later sighting can only be a stale read from before the removal).
    - A tombstone `new` replaces anything not yet removed, whatever its time: the
      removal is detected now, and the removed record carries no newer UpdateTime.
    - Both carry an UpdateTime: a later one wins, an earlier one never does. An
      equal one wins only if the content differs: UpdateTime has one-second grain,
      so two edits within a second share it, and the observation fetched later
      (this one) is the fresher.
    - Either lacks an UpdateTime: `new` wins if its content differs, for the same
      reason (it was fetched later).

    The same observation seen twice never wins, so it causes nothing.
    """
    if old is None:
        return True
    if old.removed:
        return False
    if new.removed:
        return True
    if new.updated is not None and old.updated is not None and new.updated != old.updated:
        return new.updated > old.updated
    return new != old


def whole_second_utc(moment: datetime) -> datetime:
    """A snapshot's form of a moment: UTC, whole seconds (the API's grain)."""
    if moment.tzinfo is None:
        raise ValueError("snapshot datetimes must be aware")
    return moment.astimezone(UTC).replace(microsecond=0)


def _from_epoch(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def _int(value: Any) -> int:
    if type(value) is not int:
        raise ValueError(f"expected an integer, got {value!r}")
    return value
