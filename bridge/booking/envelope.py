"""Reading the API's XML envelope (upstream-api.md §3) into plain records.

Every answer is `<Response><Status>…</Status>payload</Response>`. The payload is a
list of objects inside `<Objects>`, or one object straight under `<Response>`, or
nothing at all; one item looks like many. This module hides all of that: it returns
the Status fields and a flat tuple of `Record`s, whatever the layout.

The XML comes from the network, so it is parsed with defusedxml and any DTD is
refused outright: an entity bomb fails at once instead of expanding. Whatever the
bytes (truncated, nested thousands deep, in an encoding Python cannot read as
text), the only error raised is `BookingProtocolError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from bridge.booking.errors import BookingProtocolError

__all__ = ["MAX_DEPTH", "MAX_TIMESTAMP", "Envelope", "Record", "Stats", "parse_envelope"]

#: How deep elements may nest below <Response>; the API's deepest is about five
#: (Objects/Appointment/Resources/Resource/ResourceId). Deeper is refused, not recursed.
MAX_DEPTH = 32
#: The last Unix second of the year 9998: a later `Status/Timestamp` is no clock at all
#: (and `datetime` could not hold it once a time zone is added).
MAX_TIMESTAMP = 253_370_764_799


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


def _payload(root: Element) -> tuple[Record, ...]:
    objects = root.find("Objects")
    if objects is not None:
        return tuple(_to_record(child, 2) for child in objects)
    # Object at root: every element with children except the Status block.
    return tuple(_to_record(child, 1) for child in root if child.tag != "Status" and len(child))


def _parse_xml(body: bytes) -> Element:
    try:
        return fromstring(body, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise BookingProtocolError(f"refused hostile XML from the API: {exc}") from None
    except ParseError as exc:
        raise BookingProtocolError(f"the API answered with malformed XML: {exc}") from None
    except (LookupError, ValueError) as exc:
        # The XML declaration names an encoding expat cannot use: unknown ("foo"),
        # multi-byte ("shift_jis"), or a codec that is not text at all ("rot13", "idna").
        raise BookingProtocolError(f"the API answered in an unreadable encoding: {exc}") from None


def parse_envelope(body: bytes) -> Envelope:
    """Parse one API answer; raise `BookingProtocolError` if it is not one."""
    root = _parse_xml(body)
    if root.tag != "Response":
        raise BookingProtocolError(f"expected a <Response> document, got <{root.tag}>")
    status = root.find("Status")
    if status is None or status.find("Status") is None:
        raise BookingProtocolError("the API answer has no Status/Status element")
    outcome = _text(status.find("Status")).lower()
    if outcome not in {"success", "failed"}:
        raise BookingProtocolError(f"unknown Status/Status {outcome!r}")
    stamp_text = _text(status.find("Timestamp"))
    message_element = status.find("Message")
    if message_element is None:
        message_element = root.find("Message")
    message = (message_element.text or "").strip() if message_element is not None else ""
    return Envelope(
        succeeded=outcome == "success",
        timestamp=_timestamp(stamp_text) if stamp_text else None,
        code=_text(status.find("Code")) or None,
        message=message,
        stats=_stats(status),
        records=_payload(root),
    )
