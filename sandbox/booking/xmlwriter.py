"""The response envelope, written by hand to match the real service's layout.

Real responses put the `Status` block first and then either `<Objects>` with one child per
item, a single object directly under `<Response>`, or nothing (protocol notes §3). The
writer produces exactly those three shapes; text is escaped so any customer-supplied
value round-trips through an XML parser.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TypeAlias

API_VERSION = "1.0"

Node: TypeAlias = "tuple[str, str | Sequence[Node]]"
"""An element: its name and either its text or its child elements."""

_INDENT = "    "
# Characters XML 1.0 cannot carry at all; dropped rather than producing a broken document.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SPECIAL = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


class Shape(Enum):
    """Where the payload goes (protocol notes §4: O, R, S)."""

    OBJECTS = "O"
    ROOT = "R"
    STATUS = "S"


@dataclass(frozen=True)
class Stats:
    """Paging figures of list calls."""

    limit: int
    offset: int
    records: int
    total_records: int


@dataclass(frozen=True)
class Payload:
    """What a handler answers: the shape, the object elements and optional paging stats."""

    shape: Shape
    items: Sequence[Node] = ()
    stats: Stats | None = None


@dataclass(frozen=True)
class StatusLine:
    """The server time shown in every Status block."""

    date: str
    timestamp: int


def escape_text(value: str) -> str:
    """Escape element text; carriage returns survive parsing as character references."""
    if not _SPECIAL.search(value):
        return value
    value = _ILLEGAL.sub("", value)
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return value.replace("\r", "&#13;")


def is_element_name(name: str) -> bool:
    return bool(_NAME.match(name)) and not name.lower().startswith("xml")


def _write(node: Node, depth: int, out: list[str]) -> None:
    name, content = node
    pad = _INDENT * depth
    if isinstance(content, str):
        out.append(f"{pad}<{name}>{escape_text(content)}</{name}>")
        return
    out.append(f"{pad}<{name}>")
    for child in content:
        _write(child, depth + 1, out)
    out.append(f"{pad}</{name}>")


def _status_node(
    line: StatusLine, code: str | None, message: str | None, stats: Stats | None
) -> Node:
    children: list[Node] = [
        ("APIVersion", API_VERSION),
        ("Date", line.date),
        ("Timestamp", str(line.timestamp)),
        ("Status", "failed" if code else "success"),
    ]
    if code:
        children.append(("Code", code))
        children.append(("Message", message or ""))
    if stats is not None:
        children.append(
            (
                "Stats",
                [
                    ("Limit", str(stats.limit)),
                    ("Offset", str(stats.offset)),
                    ("Records", str(stats.records)),
                    ("TotalRecords", str(stats.total_records)),
                ],
            )
        )
    return ("Status", children)


def _document(nodes: Sequence[Node]) -> str:
    out = ['<?xml version="1.0" encoding="UTF-8"?>', "<Response>"]
    for node in nodes:
        _write(node, 1, out)
    out.append("</Response>")
    return "\n".join(out) + "\n"


def success(line: StatusLine, payload: Payload) -> str:
    """A successful response in the payload's shape."""
    nodes: list[Node] = [_status_node(line, None, None, payload.stats)]
    if payload.shape is Shape.OBJECTS and payload.items:
        nodes.append(("Objects", list(payload.items)))
    elif payload.shape is Shape.ROOT:
        nodes.extend(payload.items)
    return _document(nodes)


def failure(line: StatusLine, code: str, message: str) -> str:
    """A failed response: Status block only."""
    return _document([_status_node(line, code, message, None)])
