"""The edge between the booking client and the domain: an API appointment as a snapshot.

The domain knows nothing of the booking API's objects; this is the one place that
maps an `Appointment` to the fields a `Snapshot` keeps.
"""

from __future__ import annotations

from bridge.booking.models import Appointment
from bridge.domain.snapshot import Snapshot, snapshot_json, whole_second_utc
from bridge.store.observation import Observation

__all__ = ["observation_of", "snapshot_of", "snapshot_text"]


def snapshot_of(appointment: Appointment, agenda_id: int) -> Snapshot:
    """The snapshot of an appointment as the booking API returned it."""
    updated, created = appointment.updated, appointment.created
    return Snapshot(
        appointment_id=appointment.id,
        agenda_id=agenda_id,
        start=whole_second_utc(appointment.start),
        finish=whole_second_utc(appointment.finish),
        label=appointment.label,
        status=appointment.status,
        updated=None if updated is None else whole_second_utc(updated),
        created=None if created is None else whole_second_utc(created),
        customer_id=appointment.customer_id,
        appointment_type_id=appointment.appointment_type_id,
        resource_ids=tuple(sorted({r.resource_id for r in appointment.resources})),
    )


def snapshot_text(appointment: Appointment, agenda_id: int) -> str:
    """`snapshot_of(appointment, agenda_id).to_json()`, built directly: comparing it with
    the stored text tells an unchanged appointment without constructing a snapshot."""
    updated, created = appointment.updated, appointment.created
    return snapshot_json(
        appointment.id, agenda_id,
        int(appointment.start.timestamp()), int(appointment.finish.timestamp()),
        int(appointment.label), int(appointment.status),
        None if updated is None else int(updated.timestamp()),
        None if created is None else int(created.timestamp()),
        appointment.customer_id, appointment.appointment_type_id, False,
        sorted({r.resource_id for r in appointment.resources}),
    )


def observation_of(appointment: Appointment, agenda_id: int) -> Observation:
    """An observation compared by text; the snapshot is built only if it differs."""
    return Observation(appointment.id, snapshot_text(appointment, agenda_id),
                       build=lambda: snapshot_of(appointment, agenda_id))
