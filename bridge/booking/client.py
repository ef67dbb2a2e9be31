"""`BookingClient`: every method of the OnlineAfspraken REST API, typed.

Create one per process and share it: it holds one pooled HTTP connection. Method
names are the API's in snake_case (`getBookableTimes` → `get_bookable_times`,
`CHAddBlock` → `ch_add_block`).
"""

from __future__ import annotations

from types import TracebackType
from zoneinfo import ZoneInfo

from bridge.booking.appointments import AppointmentCalls
from bridge.booking.availability import AvailabilityCalls
from bridge.booking.calculation import CalculationCalls
from bridge.booking.catalogue import CatalogueCalls
from bridge.booking.customers import CustomerCalls
from bridge.booking.transport import RetryPolicy, Transport
from bridge.booking.wire import AMSTERDAM
from bridge.clock import Clock

__all__ = ["BookingClient"]


class BookingClient(
    CatalogueCalls, AppointmentCalls, AvailabilityCalls, CustomerCalls, CalculationCalls
):
    """A typed client for one OnlineAfspraken account."""

    def __init__(
        self,
        url: str,
        api_key: str,
        api_secret: str,
        *,
        timeout: float = 10.0,
        clock: Clock | None = None,
        retry: RetryPolicy | None = None,
        tz: ZoneInfo = AMSTERDAM,
        transport: Transport | None = None,
        connections: int = 10,
    ) -> None:
        self._transport = transport or Transport(
            url, api_key, api_secret, timeout=timeout, clock=clock, retry=retry,
            connections=connections,
        )
        self._tz = tz

    @property
    def transport(self) -> Transport:
        return self._transport

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> BookingClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
