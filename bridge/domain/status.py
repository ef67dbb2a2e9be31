"""Where an appointment is in its life, in the domain's own words.

The booking API names these `Label` and `Status`; the booking client decodes its
answers into these same enums, so the domain never needs to import the client.
"""

from __future__ import annotations

from enum import IntEnum

__all__ = ["Label", "RecordStatus"]


class Label(IntEnum):
    """Where an appointment is in its life (`Label`)."""

    PENDING = 1
    APPROVED = 2
    FINISHED = 3
    CANCELLED = 4
    IN_PROGRESS = 5


class RecordStatus(IntEnum):
    """Whether a record is live (`Status` of appointments and customers)."""

    ENABLED = 1
    DISABLED = 2
    DELETED = 3
