"""What an SMS costs: its encoding and the number of segments it is sent in.

Carriers bill per segment. A text that is all GSM-7 fits 160 septets in one segment;
the extension characters (`^{}\\[~]|€` and form feed) take two septets each. Any other
character makes the whole text UCS-2: 70 UTF-16 code units in one segment (an emoji
or other character outside the BMP takes two). A longer text is split into parts of
153 septets or 67 code units (the rest of each part holds the concatenation header),
and a part never ends in the middle of a two-septet character or a surrogate pair.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from bridge.rendering.gsm import GSM_EXTENDED, is_gsm

__all__ = ["Encoding", "SmsCost", "sms_cost"]


class Encoding(Enum):
    GSM_7 = "GSM-7"
    UCS_2 = "UCS-2"


@dataclass(frozen=True, slots=True)
class SmsCost:
    """How a text goes out: `characters` counts what the limits count.

    That is septets for GSM-7 (an extension character counts 2) and UTF-16 code units
    for UCS-2. An empty text costs no segments.
    """

    encoding: Encoding
    segments: int
    characters: int


_LIMITS = {Encoding.GSM_7: (160, 153), Encoding.UCS_2: (70, 67)}


def sms_cost(text: str) -> SmsCost:
    """The encoding, segment count and counted length of `text` as one SMS."""
    if is_gsm(text):
        encoding = Encoding.GSM_7
        units = [2 if char in GSM_EXTENDED else 1 for char in text]
    else:
        encoding = Encoding.UCS_2
        units = [2 if ord(char) > 0xFFFF else 1 for char in text]
    total = sum(units)
    single, part = _LIMITS[encoding]
    if total <= single:
        return SmsCost(encoding, 1 if total else 0, total)
    return SmsCost(encoding, _parts(units, part), total)


def _parts(units: list[int], size: int) -> int:
    """Parts needed when no character is split across two parts."""
    parts, used = 1, 0
    for unit in units:
        if used + unit > size:
            parts, used = parts + 1, 0
        used += unit
    return parts
