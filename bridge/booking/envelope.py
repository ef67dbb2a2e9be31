"""Reading the API's XML envelope (upstream-api.md §3) into plain records, as it arrives.

Every answer is `<Response><Status>…</Status>payload</Response>`. The payload is a
list of objects inside `<Objects>`, or one object straight under `<Response>`, or
nothing at all; one item looks like many. This module hides all of that: it returns
the Status fields and a flat tuple of `Record`s, whatever the layout.

The XML comes from the network, so it is parsed with defusedxml (its `iterparse`, fed
chunk by chunk) and any DTD is refused outright: an entity bomb fails at once instead
of expanding. Each object becomes a `Record` as soon as its closing tag is read and its
elements are dropped, so memory follows the records kept, not the document's size;
an answer with more objects than the call can return (`max_records`), or an object of
more than `MAX_RECORD_ELEMENTS` elements, is refused as it streams in. Whatever the
bytes (truncated, nested thousands deep, in an encoding Python cannot read as text),
the only error this module raises is `BookingProtocolError` (errors raised by the
chunks' source pass through).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from bridge.booking.errors import BookingProtocolError

__all__ = ["MAX_DEPTH", "MAX_RECORD_ELEMENTS", "MAX_TIMESTAMP", "Envelope", "Record", "Stats",
           "parse_envelope", "read_envelope"]

#: How deep elements may nest below <Response>; the API's deepest is about five
#: (Objects/Appointment/Resources/Resource/ResourceId). Deeper is refused, not recursed.
MAX_DEPTH = 32
#: The last Unix second of the year 9998: a later `Status/Timestamp` is no clock at all
#: (and `datetime` could not hold it once a time zone is added).
MAX_TIMESTAMP = 253_370_764_799
#: Elements in one object, nested ones included; an appointment has about forty.
MAX_RECORD_ELEMENTS = 128


@dataclass(frozen=True, slots=True)
class Record:
    """One object of a response: its leaf values and its nested elements by tag."""

    tag: str
    values: Mapping[str, str]
    nested: Mapping[str, tuple[Record, ...]] = field(default_factory=dict)

    def get(self, key: str, default: str = "") -> str:
        return self.values.get(key, default)


@dataclass(frozen=True, slots=True)
class Stats:
    """Paging figures of a list call (`Status/Stats`)."""

    limit: int
    offset: int
    records: int
    total_records: int


@dataclass(frozen=True, slots=True)
class Envelope:
    """A parsed response: the Status block and the objects it carried."""

    succeeded: bool
    timestamp: int | None
    code: str | None
    message: str
    stats: Stats | None
    records: tuple[Record, ...]


def _text(element: Element | None) -> str:
    if element is None or element.text is None:
        return ""
    return element.text.strip()


def _to_record(element: Element, depth: int) -> Record:
    """`element`, `depth` levels below <Response>, with everything inside it."""
    if depth > MAX_DEPTH:
        raise BookingProtocolError(f"the API answer nests elements deeper than {MAX_DEPTH}")
    values: dict[str, str] = {}
    nested: dict[str, list[Record]] = {}
    for child in element:
        if len(child):
            nested.setdefault(child.tag, []).append(_to_record(child, depth + 1))
        else:
            values.setdefault(child.tag, _text(child))
    return Record(element.tag, values, {tag: tuple(items) for tag, items in nested.items()})


def _parse_int(text: str, name: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise BookingProtocolError(f"Status/{name}: expected an integer, got {text!r}") from None


def _stats(status: Element) -> Stats | None:
    block = status.find("Stats")
    if block is None:
        return None
    figures = {
        name: _parse_int(_text(block.find(name)) or "0", f"Stats/{name}")
        for name in ("Limit", "Offset", "Records", "TotalRecords")
    }
    return Stats(figures["Limit"], figures["Offset"], figures["Records"], figures["TotalRecords"])


def _timestamp(text: str) -> int:
    stamp = _parse_int(text, "Timestamp")
    if not 0 <= stamp <= MAX_TIMESTAMP:
        raise BookingProtocolError(
            f"Status/Timestamp: not a Unix time (expected 0 to {MAX_TIMESTAMP})"
        )
    return stamp


class _Builder:
    """Turns parse events into an `Envelope`, dropping each element once it is read.

    Levels count open elements: <Response> is 1, its children 2, <Objects>' children 3.
    """

    def __init__(self, max_records: int | None) -> None:
        self.max_records = max_records
        self.root: Element | None = None
        self.top: Element | None = None
        self.level = 0
        self.unit_elements = 0
        self.objects = "none"  # "none", "reading" the first <Objects>, or "read"
        self.status: Element | None = None
        self.root_message: str | None = None
        self.object_records: list[Record] = []
        self.root_records: list[Record] = []

    def start(self, element: Element) -> None:
        self.level += 1
        if self.level == 1:
            if element.tag != "Response":
                raise BookingProtocolError(f"expected a <Response> document, got <{element.tag}>")
            self.root = element
        elif self.level - 1 > MAX_DEPTH:
            raise BookingProtocolError(f"the API answer nests elements deeper than {MAX_DEPTH}")
        elif self.level == 2:
            self.top = element
            self.unit_elements = 0
            if element.tag == "Objects":
                self.objects = "reading" if self.objects == "none" else self.objects
        elif self.level == 3 and self.top is not None and self.top.tag == "Objects":
            self.unit_elements = 0
        self.unit_elements += 1
        if self.unit_elements > MAX_RECORD_ELEMENTS:
            raise BookingProtocolError(
                f"an object in the API answer has more than {MAX_RECORD_ELEMENTS} elements")

    def end(self, element: Element) -> None:
        level, self.level = self.level, self.level - 1
        if level == 2 and self.root is not None:
            self._top_level(element)
            self.root.remove(element)
        elif level == 3 and self.top is not None and self.top.tag == "Objects":
            if self.objects == "reading":
                self._keep(self.object_records, _to_record(element, 2))
            self.top.remove(element)

    def _top_level(self, element: Element) -> None:
        if element.tag == "Status":
            if self.status is None:
                self.status = element
        elif element.tag == "Objects":
            if self.objects == "reading":
                self.objects = "read"
        elif element.tag == "Message" and self.root_message is None:
            self.root_message = (element.text or "").strip()
        if element.tag not in {"Status", "Objects"} and len(element):
            self._keep(self.root_records, _to_record(element, 1))

    def _keep(self, records: list[Record], record: Record) -> None:
        records.append(record)
        if self.max_records is not None and len(records) > self.max_records:
            raise BookingProtocolError(
                f"the API answered with more than {self.max_records} objects, "
                "more than the call can return")

    def envelope(self) -> Envelope:
        status = self.status
        if status is None or status.find("Status") is None:
            raise BookingProtocolError("the API answer has no Status/Status element")
        outcome = _text(status.find("Status")).lower()
        if outcome not in {"success", "failed"}:
            raise BookingProtocolError(f"unknown Status/Status {outcome!r}")
        stamp_text = _text(status.find("Timestamp"))
        message_element = status.find("Message")
        if message_element is not None:
            message = (message_element.text or "").strip()
        else:
            message = self.root_message or ""
        records = self.object_records if self.objects != "none" else self.root_records
        return Envelope(
            succeeded=outcome == "success",
            timestamp=_timestamp(stamp_text) if stamp_text else None,
            code=_text(status.find("Code")) or None,
            message=message,
            stats=_stats(status),
            records=tuple(records),
        )


class _Chunks:
    """A file-like view of byte chunks, as `iterparse` reads its source."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks: Iterator[bytes] = iter(chunks)

    def read(self, _size: int = -1) -> bytes:
        for chunk in self._chunks:
            if chunk:
                return chunk
        return b""


def read_envelope(chunks: Iterable[bytes], max_records: int | None = None) -> Envelope:
    """Parse one API answer from its body's chunks as they come; raise
    `BookingProtocolError` if it is not one, or holds more than `max_records` objects."""
    builder = _Builder(max_records)
    try:
        for event, element in iterparse(_Chunks(chunks), ("start", "end"), forbid_dtd=True):
            if event == "start":
                builder.start(element)
            else:
                builder.end(element)
    except DefusedXmlException as exc:
        raise BookingProtocolError(f"refused hostile XML from the API: {exc}") from None
    except ParseError as exc:
        raise BookingProtocolError(f"the API answered with malformed XML: {exc}") from None
    except (LookupError, ValueError) as exc:
        # The XML declaration names an encoding expat cannot use: unknown ("foo"),
        # multi-byte ("shift_jis"), or a codec that is not text at all ("rot13", "idna").
        raise BookingProtocolError(f"the API answered in an unreadable encoding: {exc}") from None
    return builder.envelope()


def parse_envelope(body: bytes, max_records: int | None = None) -> Envelope:
    """Parse one API answer held whole in memory (see `read_envelope`)."""
    return read_envelope((body,), max_records)
