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

__all__ = ["DEFAULT_LIMIT", "LIST_RECORDS", "ONE_RECORDS", "CallerBase", "Decoder", "Params"]

T = TypeVar("T")
Decoder = Callable[[Record, ZoneInfo], T]
Params = Mapping[str, ParamValue | None]

#: What the answer to each kind of call may hold (the transport bounds its size by it):
#: a page, its `Limit` (the API's own default when none is given, upstream-api.md §5);
#: a list without paging (agendas, bookable times of a range), `LIST_RECORDS`; a call
#: about one object, `ONE_RECORDS`.
DEFAULT_LIMIT = 100
LIST_RECORDS = 1000
ONE_RECORDS = 8


class CallerBase:
    """Holds the transport and the account's time zone; turns calls into models."""

    _transport: Transport
    _tz: ZoneInfo

    def _call(self, method: str, params: Params | None = None,
              max_records: int = ONE_RECORDS) -> Envelope:
        encoded = {
            key: encode_value(value, self._tz)
            for key, value in (params or {}).items()
            if value is not None
        }
        return self._transport.call(method, encoded, max_records=max_records)

    def _many(self, method: str, decode: Decoder[T], params: Params | None = None) -> list[T]:
        envelope = self._call(method, params, LIST_RECORDS)
        return [decode(record, self._tz) for record in envelope.records]

    def _page(self, method: str, decode: Decoder[T], params: Params | None = None) -> Page[T]:
        limit = (params or {}).get("Limit")
        envelope = self._call(method, params, limit if isinstance(limit, int) else DEFAULT_LIMIT)
        items = tuple(decode(record, self._tz) for record in envelope.records)
        return Page(items=items, stats=envelope.stats, server_time=envelope.timestamp)

    def _one(self, method: str, decode: Decoder[T], params: Params | None = None) -> T:
        envelope = self._call(method, params)
        if not envelope.records:
            raise BookingProtocolError(f"{method}: the answer carried no object")
        return decode(envelope.records[0], self._tz)

    def _void(self, method: str, params: Params | None = None) -> None:
        self._call(method, params)
