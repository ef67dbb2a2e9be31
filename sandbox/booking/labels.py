"""Appointment `Label` and `Status` values (protocol notes §5.1)."""

from __future__ import annotations

PENDING = 1
APPROVED = 2
FINISHED = 3
CANCELLED = 4
IN_PROGRESS = 5

ENABLED = 1
DISABLED = 2
DELETED = 3
