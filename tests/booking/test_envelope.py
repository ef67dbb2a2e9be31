"""The XML envelope in every shape of upstream-api.md §3, and hostile documents."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bridge.booking.envelope import parse_envelope
from bridge.booking.errors import BookingProtocolError

STATUS_OK = """<Status><APIVersion>1.0</APIVersion><Date>2026-03-29 03:00:00</Date>
<Timestamp>1774746000</Timestamp><Status>success</Status></Status>"""


def doc(payload: str, status: str = STATUS_OK) -> bytes:
    header = '<?xml version="1.0" encoding="UTF-8"?>\n'
    return f"{header}<Response>{status}{payload}</Response>".encode()


AGENDA = "<Agenda><Id>{id}</Id><Name>Praktijk {id}</Name><IsDefault>1</IsDefault></Agenda>"


def test_many_items_in_objects() -> None:
    envelope = parse_envelope(doc(f"<Objects>{AGENDA.format(id=1)}{AGENDA.format(id=2)}</Objects>"))
    assert envelope.succeeded
    assert [r.get("Id") for r in envelope.records] == ["1", "2"]
    assert envelope.timestamp == 1774746000


def test_one_item_is_still_a_list() -> None:
    envelope = parse_envelope(doc(f"<Objects>{AGENDA.format(id=7)}</Objects>"))
    assert [r.tag for r in envelope.records] == ["Agenda"]


@pytest.mark.parametrize("payload", ["", "<Objects/>", "<Objects>\n  </Objects>"])
def test_missing_or_empty_objects_mean_no_items(payload: str) -> None:
    assert parse_envelope(doc(payload)).records == ()


def test_object_at_root_without_objects() -> None:
    envelope = parse_envelope(doc(AGENDA.format(id=270)))
    assert envelope.records[0].tag == "Agenda"
    assert envelope.records[0].get("Name") == "Praktijk 270"


def test_stray_leaf_at_root_is_not_an_object() -> None:
    envelope = parse_envelope(doc("<Message/>" + AGENDA.format(id=3)))
    assert [r.tag for r in envelope.records] == ["Agenda"]


def test_status_fields_in_any_order_with_empty_message() -> None:
    status = "<Status><Message/><Status>success</Status><Timestamp>5</Timestamp></Status>"
    envelope = parse_envelope(doc("", status))
    assert envelope.succeeded and envelope.message == "" and envelope.timestamp == 5


def test_failed_status_keeps_code_and_multiline_message() -> None:
    status = """<Status><APIVersion>1.0</APIVersion><Timestamp>10</Timestamp>
    <Status>failed</Status><Code>SIM-422</Code>
    <Message>Validation failed
Email: not a valid e-mail address
MobilePhone: not a valid phone number</Message></Status>"""
    envelope = parse_envelope(doc("", status))
    assert not envelope.succeeded
    assert envelope.code == "SIM-422"
    assert envelope.message.splitlines() == [
        "Validation failed",
        "Email: not a valid e-mail address",
        "MobilePhone: not a valid phone number",
    ]


def test_paging_stats() -> None:
    status = STATUS_OK.replace(
        "</Status></Status>",
        "</Status><Stats><Limit>2</Limit><Offset>4</Offset><Records>1</Records>"
        "<TotalRecords>5</TotalRecords></Stats></Status>",
    )
    stats = parse_envelope(doc("", status)).stats
    assert stats is not None
    assert (stats.limit, stats.offset, stats.records, stats.total_records) == (2, 4, 1, 5)


def test_nested_repeated_elements_and_unknown_fields_are_kept() -> None:
    appointment = """<Appointment><Id>9</Id><Woonplaats>Utrecht</Woonplaats>
    <Resources><ResourceId>1</ResourceId></Resources>
    <Resources><ResourceId>2</ResourceId></Resources></Appointment>"""
    record = parse_envelope(doc(f"<Objects>{appointment}</Objects>")).records[0]
    assert record.get("Woonplaats") == "Utrecht"
    assert [r.get("ResourceId") for r in record.nested["Resources"]] == ["1", "2"]


def test_escaped_text_round_trips() -> None:
    record = parse_envelope(
        doc("<Customer><Id>1</Id><FirstName>Daniëlle &amp; Zoë &lt;x&gt;</FirstName></Customer>")
    ).records[0]
    assert record.get("FirstName") == "Daniëlle & Zoë <x>"


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<Response><Status><Status>success</Status></Status><Objects><Agenda><Id>1</Id>
<Name>&lol9;</Name></Agenda></Objects></Response>"""


def test_billion_laughs_is_refused_before_any_expansion() -> None:
    # The DTD itself is refused, so not one entity is ever expanded.
    with pytest.raises(BookingProtocolError, match="hostile XML") as caught:
        parse_envelope(BILLION_LAUGHS)
    assert "DTD" in str(caught.value)


def test_external_entities_are_refused() -> None:
    hostile = b"""<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<Response><Status><Status>success</Status></Status><Agenda><Id>&x;</Id></Agenda></Response>"""
    with pytest.raises(BookingProtocolError, match="hostile XML"):
        parse_envelope(hostile)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"<Response><Status><Status>success</Status>", "malformed XML"),
        (b"<html><body>Bad gateway</body></html>", "expected a <Response>"),
        (b"<Response><Objects/></Response>", "no Status/Status"),
        (b"<Response><Status><Status>maybe</Status></Status></Response>", "unknown Status"),
        (b"", "malformed XML"),
    ],
)
def test_documents_that_are_not_answers_are_refused(body: bytes, reason: str) -> None:
    with pytest.raises(BookingProtocolError, match=reason):
        parse_envelope(body)


@given(st.binary(max_size=300))
def test_arbitrary_bytes_raise_only_protocol_errors(body: bytes) -> None:
    assert_parses_or_refuses(body)


@given(st.integers(min_value=0, max_value=len(doc(AGENDA.format(id=1)))))
def test_truncated_answers_raise_only_protocol_errors(cut: int) -> None:
    assert_parses_or_refuses(doc(AGENDA.format(id=1))[:cut])


def assert_parses_or_refuses(body: bytes) -> None:
    try:
        envelope = parse_envelope(body)
    except BookingProtocolError as refused:
        assert str(refused)
    else:
        assert isinstance(envelope.records, tuple)
