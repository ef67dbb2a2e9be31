"""How many SMS segments a body costs: GSM-7 or UCS-2, single or concatenated.

Twilio reports and bills `num_segments`, and the bridge's cost estimates and reminder
templates depend on getting it right, so the sandbox counts the way the networks do:

* A body made only of GSM 03.38 characters is sent as GSM-7: 160 septets in one segment,
  153 per segment once it is split (7 go to the concatenation header). Characters of the
  extension table (`€ [ ] { } \\ ^ ~ |` and form feed) take two septets (escape + char),
  and the pair is never split over two segments.
* Any other character switches the whole body to UCS-2: 70 UTF-16 code units in one
  segment, 67 per segment once split; a surrogate pair (emoji) is never split either.

Twilio's optional "smart encoding" (replacing curly quotes and the like by GSM
look-alikes) is not simulated: the body is counted as sent.
"""

from __future__ import annotations

from dataclasses import dataclass

GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ"
    " !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = "\f^{}\\[~]|€"

_BASIC = frozenset(GSM7_BASIC)
_EXTENSION = frozenset(GSM7_EXTENSION)

GSM7_SINGLE, GSM7_MULTI = 160, 153
UCS2_SINGLE, UCS2_MULTI = 70, 67


@dataclass(frozen=True)
class SegmentCount:
    """The encoding chosen, the size in its units (septets or UTF-16 units), the segments."""

    encoding: str  # "GSM-7" or "UCS-2"
    units: int
    segments: int


def is_gsm7(body: str) -> bool:
    return all(ch in _BASIC or ch in _EXTENSION for ch in body)


def _pack(widths: list[int], single: int, multi: int) -> int:
    """Segments needed for characters of these widths, never splitting one character."""
    if sum(widths) <= single:
        return 1
    segments, used = 1, 0
    for width in widths:
        if used + width > multi:
            segments, used = segments + 1, 0
        used += width
    return segments


def count_segments(body: str) -> SegmentCount:
    """Segments for `body`; an empty body still counts as one segment (as Twilio bills it)."""
    if is_gsm7(body):
        widths = [2 if ch in _EXTENSION else 1 for ch in body]
        return SegmentCount("GSM-7", sum(widths), _pack(widths, GSM7_SINGLE, GSM7_MULTI))
    widths = [2 if ord(ch) > 0xFFFF else 1 for ch in body]
    return SegmentCount("UCS-2", sum(widths), _pack(widths, UCS2_SINGLE, UCS2_MULTI))
