"""The booking API's XML reader on hostile, truncated and garbled answers.

Whatever bytes the API (or anything between it and us) sends, reading them raises
nothing but the documented `BookingError` kinds (docs/booking-client.md): the envelope
parser and the record decoders only `BookingProtocolError`, a whole call through the
transport only a `BookingError`. And every read finishes quickly (`no_hang`).
"""

from __future__ import annotations

from contextlib import suppress
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bridge.booking.envelope import Record
from bridge.booking.errors import BookingError
from bridge.booking.wire import AMSTERDAM
from tests.fuzz.booking_documents import FIELDS, KINDS, documents, records, values
from tests.fuzz.booking_reading import DECODERS, decoded, read, transport_answering
from tests.fuzz.conftest import fuzz_settings, no_hang


@pytest.mark.slow
@fuzz_settings(400)
@given(documents())
def test_garbled_answers_raise_only_protocol_errors(body: bytes) -> None:
    read(body)


@fuzz_settings(150)
@given(st.binary(max_size=4096))
def test_random_bytes_raise_only_protocol_errors(body: bytes) -> None:
    read(body)


@pytest.mark.slow
@fuzz_settings(300)
@given(records(), st.sampled_from([AMSTERDAM, ZoneInfo("UTC"), ZoneInfo("Pacific/Kiritimati")]))
def test_decoders_refuse_odd_records_only_with_protocol_errors(
    record: Record, tz: ZoneInfo
) -> None:
    with no_hang():
        for decoder in DECODERS.values():
            decoded(decoder, record, tz)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_decoders_refuse_a_changed_field_only_with_protocol_errors(kind: str) -> None:
    base, names = KINDS[kind]
    keys = st.sampled_from(sorted(base)) | st.sampled_from(FIELDS)

    @fuzz_settings(150)
    @given(st.dictionaries(keys, values, min_size=1, max_size=3))
    def changed(fields: dict[str, str]) -> None:
        record = Record("Item", {**base, **fields})
        with no_hang():
            for name in names:
                decoded(DECODERS[name], record, AMSTERDAM)

    changed()


@pytest.mark.slow
@fuzz_settings(100)
@given(documents())
def test_a_whole_call_raises_only_booking_errors(body: bytes) -> None:
    transport = transport_answering(body)
    with no_hang(), suppress(BookingError):
        transport.call("getAppointments", {"AgendaId": "1"})
    transport.close()


