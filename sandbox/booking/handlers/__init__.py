"""Method handlers grouped by area; `METHODS` maps each exact method name to its handler."""

from __future__ import annotations

from sandbox.booking.context import Handler
from sandbox.booking.handlers import (
    advanced,
    appointments,
    availability,
    booking,
    customers,
    general,
)

METHODS: dict[str, Handler] = {
    **general.METHODS,
    **appointments.METHODS,
    **booking.METHODS,
    **availability.METHODS,
    **customers.METHODS,
    **advanced.METHODS,
}

__all__ = ["METHODS"]
