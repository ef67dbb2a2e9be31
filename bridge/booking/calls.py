"""The shared core of the client's method groups: encode, call, decode.

Each group of API methods (catalogue, appointments, customers, …) is a small mixin
over `CallerBase`, so the full client stays one flat object with every method of the
API while no module grows past one concept.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar
from zoneinfo import ZoneInfo

from bridge.booking.envelope import Envelope, Record
from bridge.booking.errors import BookingProtocolError
from bridge.booking.models import Page
from bridge.booking.transport import Transport
from bridge.booking.wire import ParamValue, encode_value

__all__ = ["CallerBase", "Decoder", "Params"]

T = TypeVar("T")
Decoder = Callable[[Record, ZoneInfo], T]
Params = Mapping[str, ParamValue | None]


class CallerBase:
    """Holds the transport and the account's time zone; turns calls into models."""

    _transport: Transport
    _tz: ZoneInfo

    def _call(self, method: str, params: Params | None = None) -> Envelope:
        encoded = {
            key: encode_value(value, self._tz)
            for key, value in (params or {}).items()
            if value is not None
        }
        return self._transport.call(method, encoded)

    def _many(self, method: str, decode: Decoder[T], params: Params | None = None) -> list[T]:
        envelope = self._call(method, params)
        return [decode(record, self._tz) for record in envelope.records]

    def _page(self, method: str, decode: Decoder[T], params: Params | None = None) -> Page[T]:
        envelope = self._call(method, params)
        items = tuple(decode(record, self._tz) for record in envelope.records)
        return Page(items=items, stats=envelope.stats, server_time=envelope.timestamp)

    def _one(self, method: str, decode: Decoder[T], params: Params | None = None) -> T:
        envelope = self._call(method, params)
        if not envelope.records:
            raise BookingProtocolError(f"{method}: the answer carried no object")
        return decode(envelope.records[0], self._tz)

    def _void(self, method: str, params: Params | None = None) -> None:
        self._call(method, params)
