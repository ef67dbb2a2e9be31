"""The booking API's XML reader on hostile, truncated and garbled answers.

Whatever bytes the API (or anything between it and us) sends, reading them raises
nothing but the documented `BookingError` kinds (docs/booking-client.md): the envelope
parser and the record decoders only `BookingProtocolError`, a whole call through the
transport only a `BookingError`. And every read finishes quickly (`no_hang`).
"""

from __future__ import annotations

import encodings.aliases
from collections.abc import Callable
from contextlib import suppress
from dataclasses import fields, is_dataclass
from datetime import UTC, datetime
from typing import Any
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bridge.booking import decode
from bridge.booking.envelope import MAX_DEPTH, MAX_TIMESTAMP, Record, parse_envelope
from bridge.booking.errors import BookingError, BookingProtocolError
from bridge.booking.transport import RetryPolicy, Transport
from bridge.booking.wire import AMSTERDAM
from tests.fuzz.conftest import fuzz_settings, no_hang

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

#: The element names the decoders read (upstream-api.md §5), and a few they do not.
FIELDS = [
    "Id", "StartTime", "FinishTime", "EndTime", "Label", "Status", "Name", "Description",
    "BlockedTime", "Capacity", "AppointmentTypeId", "CustomerId", "CustomerName",
    "CreateTime", "UpdateTime", "FirstName", "LastName", "Email", "MobilePhone",
    "BirthDate", "Gender", "Date", "Timestamp", "LabelTime", "ResourceId", "IsDefault",
    "AlignGrid", "Price", "PriceType", "Duration", "ExplicitEndDate", "CategoryId", "Key",
    "Required", "Confirmed", "Confirmation", "Enabled", "Value", "Taal", "Unknown",
]

#: Values at the edges of what the wire format parsers accept.
TRICKY = [
    "", " ", "0", "-1", "1", "+7", " 42 ", "1_000", "9" * 5000, "9" * 20, "-" + "9" * 30,
    "1e3", "1.5", "nan", "-inf", "sNaN", "١٢", "²", "0x10", "true", "FALSE", "yes", "M",
    " f ", "X", "2026-02-29", "2024-02-29", "0001-01-01", "9999-12-31", "2026-13-01",
    "2026-03-29 02:30:00", "2026-10-25 02:30:00", "0001-01-01 00:00:00",
    "9999-12-31 23:59:59", "2026-03-29T10:00:00", "25:61", "24:00", "23:59:59", "09:00",
    "1,2,,3", "1,x", "-" * 50, "\u200b", "𝟙𝟚", "9" * 12, "99999999999999", "-99999999999",
]

#: Numbers past what a date, a time_t or an int conversion can take.
HUGE = ["9" * 12, "99999999999999", "-99999999999", "9" * 20, str(2**63), str(-(2**63)),
        "253402300800", "9" * 4300, "1" + "0" * 4300]

values = st.one_of(st.sampled_from(TRICKY), st.sampled_from(HUGE), st.text(max_size=30),
                   st.integers().map(str))


@st.composite
def records(draw: st.DrawFn, depth: int = 0) -> Record:
    """A record with any of the known fields, any values, and maybe nested resources."""
    fields = draw(st.dictionaries(st.sampled_from(FIELDS), values, max_size=12))
    nested: dict[str, tuple[Record, ...]] = {}
    if depth < 2 and draw(st.booleans()):
        nested["Resources"] = tuple(draw(st.lists(records(depth + 1), max_size=3)))
    return Record(draw(st.sampled_from(["Appointment", "Customer", "Item"])), fields, nested)


#: A well-formed record per kind, with its decoders: a changed field is then read past
#: the first required one.
KINDS: dict[str, tuple[dict[str, str], list[str]]] = {
    "appointment": ({
        "Id": "501", "StartTime": "2026-03-29 10:00:00", "FinishTime": "2026-03-29 10:30:00",
        "Label": "1", "Status": "1", "BlockedTime": "2026-03-29 09:00:00", "Capacity": "1",
        "CustomerId": "7", "CreateTime": "2026-03-01 08:00:00",
        "UpdateTime": "2026-03-02 08:00:00"}, ["appointment"]),
    "bookable": ({
        "Date": "2026-03-29", "StartTime": "09:00", "EndTime": "09:30",
        "Timestamp": "1774771200", "AppointmentTypeId": "3", "ResourceId": "2"},
        ["bookable_day", "bookable_time", "bookable_block"]),
    "customer": ({
        "Id": "7", "Status": "1", "BirthDate": "1980-01-01", "Gender": "F", "Taal": "nl",
        "CreateTime": "2026-03-01 08:00:00"}, ["customer"]),
    "catalogue": ({
        "Id": "3", "Price": "12.50", "PriceType": "1", "Duration": "30", "ResourceId": "1,2",
        "ExplicitEndDate": "2026-12-31", "CanBeBookedByConsumer": "1", "CategoryId": "4",
        "Status": "1"}, ["appointment_type", "resource", "agenda"]),
    "answers": ({
        "Id": "9", "Key": "Taal", "Required": "0", "Confirmed": "1", "Enabled": "1",
        "Value": "{}", "Status": "ok"},
        ["field", "save_result", "block_id", "confirmed", "confirmation_required",
         "calculation_model"]),
}


def _leaf(tag: str, text: str, raw: bool) -> str:
    return f"<{tag}>{text if raw else escape(text)}</{tag}>"


@st.composite
def documents(draw: st.DrawFn) -> bytes:
    """An answer in the API's shape, then maybe broken in one of the ways networks do."""
    raw = draw(st.booleans())  # sometimes unescaped text: '<', '&' straight in
    status = "".join([
        _leaf("Status", draw(st.sampled_from(["success", "failed", "SUCCESS", "", "ok"])), raw),
        _leaf("Timestamp", draw(values), raw) if draw(st.booleans()) else "",
        _leaf("Code", draw(values), raw) if draw(st.booleans()) else "",
        _leaf("Message", draw(st.text(max_size=60)), raw) if draw(st.booleans()) else "",
        "<Stats>" + "".join(_leaf(n, draw(values), raw) for n in
                            ("Limit", "Offset", "Records", "TotalRecords")) + "</Stats>"
        if draw(st.booleans()) else "",
    ])
    items = "".join(
        f"<{r.tag}>" + "".join(_leaf(k, v, raw) for k, v in r.values.items())
        + "".join(f"<Resources>{''.join(_leaf(k, v, raw) for k, v in n.values.items())}"
                  "</Resources>" for n in r.nested.get("Resources", ()))
        + f"</{r.tag}>"
        for r in draw(st.lists(records(), max_size=4))
    )
    payload = draw(st.sampled_from([f"<Objects>{items}</Objects>", items, ""]))
    encoding = draw(st.sampled_from(["utf-8", "UTF-8", "latin-1", "utf-16", "ascii",
                                     "shift_jis", "utf-7", "rot13", "idna", "nonsense", None]))
    declaration = f'<?xml version="1.0" encoding="{encoding}"?>' if encoding else ""
    text = f"{declaration}<Response><Status>{status}</Status>{payload}</Response>"
    body = text.encode(draw(st.sampled_from(["utf-8", "utf-16", "utf-32", "latin-1"])),
                       errors="replace")
    return draw(broken(body))


def broken(body: bytes) -> st.SearchStrategy[bytes]:
    """`body` as sent, or cut short, or with bytes changed, added or taken out."""
    at = st.integers(min_value=0, max_value=len(body))
    return st.one_of(
        st.just(body),
        at.map(lambda i: body[:i]),  # truncated
        st.tuples(at, st.binary(min_size=1, max_size=8)).map(
            lambda p: body[:p[0]] + p[1] + body[p[0]:]),  # garbage inserted
        st.tuples(at, at).map(lambda p: body[:min(p)] + body[max(p):]),  # a piece lost
        st.tuples(at, st.integers(0, 255)).map(
            lambda p: body[:p[0]] + bytes([p[1]]) + body[p[0] + 1:]),  # one byte changed
    )


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


def _transport(body: bytes) -> Transport:
    http = httpx.Client(transport=httpx.MockTransport(lambda _r: httpx.Response(200, content=body)))
    return Transport("http://api.invalid/", "key", "secret", http=http,
                     retry=RetryPolicy(attempts=1), sleep=lambda _s: None)


@pytest.mark.slow
@fuzz_settings(100)
@given(documents())
def test_a_whole_call_raises_only_booking_errors(body: bytes) -> None:
    transport = _transport(body)
    with no_hang(), suppress(BookingError):
        transport.call("getAppointments", {"AgendaId": "1"})
    transport.close()


# Known hostile documents: each is refused (or read) at once, never expanded or fetched.

_HEAD = b"<Response><Status><Status>success</Status></Status>"
_LAUGHS = b"".join(
    b'<!ENTITY l%d "&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;">' % ((i,) + (i - 1,) * 10)
    for i in range(1, 10)
)

HOSTILE = {
    "billion laughs": b'<?xml version="1.0"?><!DOCTYPE Response [<!ENTITY l0 "lol">'
                      + _LAUGHS + b"]><Response>&l9;</Response>",
    "quadratic blowup": b'<!DOCTYPE Response [<!ENTITY a "' + b"a" * 50_000 + b'">]><Response>'
                        + b"&a;" * 10_000 + b"</Response>",
    "external entity": b'<!DOCTYPE Response [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                       b"<Response>&x;</Response>",
    "external entity over the network": b'<!DOCTYPE Response [<!ENTITY x SYSTEM '
                                        b'"http://127.0.0.1:9/x">]><Response>&x;</Response>',
    "parameter entity": b'<!DOCTYPE Response [<!ENTITY % p SYSTEM "http://127.0.0.1:9/p"> %p;]>'
                        b"<Response/>",
    "external DTD": b'<!DOCTYPE Response SYSTEM "http://127.0.0.1:9/r.dtd"><Response/>',
    "undeclared entity": _HEAD + b"<Message>&nope;</Message></Response>",
    "xinclude": _HEAD + b'<Objects><x:include xmlns:x="http://www.w3.org/2001/XInclude" '
                        b'href="file:///etc/passwd"/></Objects></Response>',
    "deep nesting": _HEAD + b"<Objects>" + b"<a>" * 100_000 + b"</a>" * 100_000
                    + b"</Objects></Response>",
    "deep nesting at the root": _HEAD + b"<a><b>1</b>" + b"<a>" * 5_000 + b"<c>1</c>"
                                + b"</a>" * 5_000 + b"</a></Response>",
    "deep nesting, cut short": _HEAD + b"<Objects>" + b"<a>" * 200_000,
    "huge attribute": _HEAD.replace(b"<Response>", b'<Response a="' + b"x" * 4_000_000 + b'">'),
    "many attributes": b"<Response " + b" ".join(b'a%d="1"' % i for i in range(50_000))
                       + b"/>",
    "wide": _HEAD + b"<Objects>" + b"<Item><Id>1</Id></Item>" * 10_000 + b"</Objects></Response>",
    "long text": _HEAD + b"<Message>" + b"x" * 8_000_000 + b"</Message></Response>",
    "huge timestamp": b"<Response><Status><Status>success</Status><Timestamp>" + b"9" * 4000
                      + b"</Timestamp></Status></Response>",
    "negative timestamp": b"<Response><Status><Status>success</Status><Timestamp>-5</Timestamp>"
                          b"</Status></Response>",
    "namespaced response": b'<r:Response xmlns:r="urn:x"><Status><Status>success</Status>'
                           b"</Status></r:Response>",
    "empty": b"",
    "only a declaration": b'<?xml version="1.0"?>',
    "a NUL byte": _HEAD.replace(b"success", b"succ\x00ess") + b"</Response>",
    "a BOM and UTF-16 without one": "<Response/>".encode("utf-16-le"),
}


@pytest.mark.parametrize("body", list(HOSTILE.values()), ids=list(HOSTILE))
def test_hostile_documents_are_refused_or_read_at_once(body: bytes) -> None:
    read(body)


def _codec_names() -> list[str]:
    names = set(encodings.aliases.aliases) | set(encodings.aliases.aliases.values())
    names |= {"rot13", "hex", "base64", "zlib", "bz2", "uu", "quopri", "idna", "punycode",
              "undefined", "unicode_escape", "raw_unicode_escape", "mbcs", "x-unknown", ""}
    return sorted(names)


# Python warns (DeprecationWarning) while decoding bad escapes with the "unicode_escape"
# codec that a document may name; the warnings filter turns that into an error here only.
@pytest.mark.filterwarnings(
    "ignore:invalid escape sequence:DeprecationWarning"
)
def test_any_declared_encoding_is_read_or_refused_as_a_protocol_error() -> None:
    for declared in _codec_names():
        text = f'<?xml version="1.0" encoding="{declared}"?><Response><Status><Status>' \
               "success</Status></Status></Response>"
        read(text.encode())
        try:
            encoded = text.encode(declared)
        except (LookupError, UnicodeError):  # not a codec Python writes text in
            continue
        read(encoded)


# The bugs these properties found, pinned.


def test_nesting_deeper_than_the_limit_is_a_protocol_error() -> None:
    deep = _HEAD + b"<Objects>" + b"<a>" * (MAX_DEPTH + 5) + b"1" + b"</a>" * (MAX_DEPTH + 5)
    with pytest.raises(BookingProtocolError, match="deeper than"):
        parse_envelope(deep + b"</Objects></Response>")
    shallow = _HEAD + b"<Objects><A><Resources><Resource><ResourceId>7</ResourceId></Resource>" \
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
        _transport(body).call("getAgendas", {})


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
