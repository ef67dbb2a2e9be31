"""The bugs the booking XML fuzz tests found, pinned: each was accepted, or raised the
wrong error, before its fix."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from bridge.booking import decode
from bridge.booking.envelope import MAX_DEPTH, MAX_TIMESTAMP, Record, parse_envelope
from bridge.booking.errors import BookingProtocolError
from bridge.booking.wire import AMSTERDAM
from tests.fuzz.booking_documents import HEAD, KINDS
from tests.fuzz.booking_reading import transport_answering


def test_nesting_deeper_than_the_limit_is_a_protocol_error() -> None:
    deep = HEAD + b"<Objects>" + b"<a>" * (MAX_DEPTH + 5) + b"1" + b"</a>" * (MAX_DEPTH + 5)
    with pytest.raises(BookingProtocolError, match="deeper than"):
        parse_envelope(deep + b"</Objects></Response>")
    shallow = HEAD + b"<Objects><A><Resources><Resource><ResourceId>7</ResourceId></Resource>" \
                      b"</Resources></A></Objects></Response>"
    assert parse_envelope(shallow).records[0].nested["Resources"][0].nested["Resource"]


@pytest.mark.parametrize("declared", ["nonsense", "shift_jis", "utf-7", "rot13", "idna"])
def test_an_encoding_expat_cannot_read_is_a_protocol_error(declared: str) -> None:
    body = f'<?xml version="1.0" encoding="{declared}"?><Response/>'.encode()
    with pytest.raises(BookingProtocolError, match="encoding"):
        parse_envelope(body)


@pytest.mark.parametrize("stamp", ["9" * 4000, str(MAX_TIMESTAMP + 1), "-1"])
def test_a_timestamp_no_clock_can_show_is_a_protocol_error(stamp: str) -> None:
    body = ("<Response><Status><Status>success</Status><Timestamp>" + stamp
            + "</Timestamp></Status></Response>").encode()
    with pytest.raises(BookingProtocolError, match="Timestamp"):
        parse_envelope(body)
    # Before, 4000 nines passed the parser and the transport's clock-skew sum overflowed.
    with pytest.raises(BookingProtocolError):
        transport_answering(body).call("getAgendas", {})


def test_a_bookable_time_with_a_timestamp_out_of_range_is_a_protocol_error() -> None:
    record = Record("Time", {"Date": "2026-03-29", "StartTime": "09:00", "EndTime": "09:30",
                             "Timestamp": "99999999999999"})
    with pytest.raises(BookingProtocolError, match="Timestamp"):
        decode.bookable_time(record, AMSTERDAM)


@pytest.mark.parametrize("tz", [AMSTERDAM, ZoneInfo("Asia/Tokyo")])
def test_a_date_time_before_the_year_1_in_utc_is_a_protocol_error(tz: ZoneInfo) -> None:
    # Accepted before, and the first `.astimezone(UTC)` downstream raised OverflowError.
    base, _names = KINDS["appointment"]
    appointment = Record("Appointment", {**base, "StartTime": "0001-01-01 00:00:00"})
    with pytest.raises(BookingProtocolError, match="StartTime"):
        decode.appointment(appointment, tz)
    slot = Record("Time", {"Date": "0001-01-01", "StartTime": "00:00", "EndTime": "00:30"})
    with pytest.raises(BookingProtocolError, match="StartTime"):
        decode.bookable_time(slot, tz)
    west = Record("Appointment", {**base, "FinishTime": "9999-12-31 23:59:59"})
    with pytest.raises(BookingProtocolError, match="FinishTime"):
        decode.appointment(west, ZoneInfo("America/New_York"))
