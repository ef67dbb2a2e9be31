"""Reading an answer as every call would, letting only the documented errors out.

The envelope parser and the record decoders may raise only `BookingProtocolError`, and
what they return must be usable downstream (every date-time converts to UTC and to a
Unix time); a whole call through the transport may raise only a `BookingError`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields, is_dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from bridge.booking import decode
from bridge.booking.envelope import Record, parse_envelope
from bridge.booking.errors import BookingProtocolError
from bridge.booking.transport import RetryPolicy, Transport
from bridge.booking.wire import AMSTERDAM
from tests.fuzz.conftest import no_hang

#: Every decoder of `bridge.booking.decode`, by name.
DECODERS: dict[str, Callable[[Record, ZoneInfo], Any]] = {
    "appointment": decode.appointment,
    "customer": decode.customer,
    "agenda": decode.agenda,
    "appointment_type": decode.appointment_type,
    "resource": decode.resource,
    "field": decode.field,
    "bookable_day": decode.bookable_day,
    "bookable_time": decode.bookable_time,
    "bookable_block": decode.bookable_block,
    "save_result": decode.save_result,
    "block_id": decode.block_id,
    "confirmed": decode.confirmed,
    "confirmation_required": decode.confirmation_required,
    "calculation_model": decode.calculation_model,
}

def decoded(decoder: Callable[[Record, ZoneInfo], Any], record: Record, tz: ZoneInfo) -> None:
    """Decode, allowing only `BookingProtocolError`; what comes out must be usable:
    every date-time converts to UTC and to a Unix time, as the planner converts it."""
    try:
        model = decoder(record, tz)
    except BookingProtocolError:
        return
    values = [getattr(model, f.name) for f in fields(model)] if is_dataclass(model) else [model]
    for value in values:
        if isinstance(value, tuple):
            for item in value:
                if is_dataclass(item):
                    values.extend(getattr(item, f.name) for f in fields(item))
        if isinstance(value, datetime):
            value.astimezone(UTC)
            value.timestamp()


def read(body: bytes) -> None:
    """Parse and decode `body` as every call would; only `BookingProtocolError` may escape."""
    with no_hang():
        try:
            envelope = parse_envelope(body)
        except BookingProtocolError:
            return
        for record in envelope.records:
            for decoder in DECODERS.values():
                decoded(decoder, record, AMSTERDAM)


def transport_answering(body: bytes) -> Transport:
    """A transport whose every call gets `body` back, with no retry and no sleep."""
    http = httpx.Client(transport=httpx.MockTransport(lambda _r: httpx.Response(200, content=body)))
    return Transport("http://api.invalid/", "key", "secret", http=http,
                     retry=RetryPolicy(attempts=1), sleep=lambda _s: None)


