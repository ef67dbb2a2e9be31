"""The GSM-7 alphabet, and `to_gsm`: customer data made cheap to send by SMS.

One character outside GSM-7 turns a whole SMS into UCS-2, which holds 70 characters
instead of 160: a single "ë" in a name can double or triple what a reminder costs.
`to_gsm` maps what it can to the nearest GSM-7 text, per user-perceived character
(a base character with its combining marks):

1. kept as it is when GSM-7 has it, composed (é, è, ü, ä, ö, ñ, ø, å, æ, ß, Ç, É…:
   they cost nothing);
2. else an explicit table (ł→l, ı→i, đ→d, œ→oe, curly quotes→straight, dashes→-);
3. else its NFKD decomposition without combining marks (ë→e, ï→i, ç→c, İ→I, ĳ→ij,
   ﬁ→fi, a no-break space→space), when every character that leaves is GSM-7
   (or in the table);
4. else kept unchanged (王芳 stays 王芳, and the SMS goes out as UCS-2).

Every output character is either GSM-7 or a character that has no mapping, and both
map to themselves, so `to_gsm` is idempotent.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

__all__ = ["GSM_BASIC", "GSM_EXTENDED", "is_gsm", "to_gsm"]

GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
"""The GSM 03.38 default alphabet: one septet each (the escape code excluded)."""

GSM_EXTENDED = frozenset("^{}\\[~]|€\f")
"""The extension table: two septets each (escape code and character)."""

_TABLE = {
    "ł": "l", "Ł": "L", "ı": "i", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D",
    "þ": "th", "Þ": "Th", "œ": "oe", "Œ": "OE", "ẞ": "SS", "ħ": "h", "Ħ": "H",
    "ŀ": "l", "Ŀ": "L", "ŧ": "t", "Ŧ": "T", "ŋ": "ng", "Ŋ": "NG", "ĸ": "k",
    "‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'", "‹": "'", "›": "'", "`": "'",
    "´": "'", "ʼ": "'",
    "“": '"', "”": '"', "„": '"', "‟": '"', "″": '"', "«": '"', "»": '"',
    "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "―": "-", "−": "-",
    "•": "-", "·": ".", "…": "...", "×": "x", "÷": ":",
    "\t": " ", "\u00a0": " ", "\u2007": " ", "\u202f": " ", "\u200b": "",
    "\u00ad": "", "\ufeff": "",
}  # fmt: skip
"""Characters NFKD does not bring to GSM-7 (or brings to something worse)."""

_GSM = GSM_BASIC | GSM_EXTENDED


def is_gsm(text: str) -> bool:
    """Whether `text` can go out in the GSM-7 encoding."""
    return all(char in _GSM for char in text)


def to_gsm(text: str) -> str:
    """`text` with every character that has a GSM-7 equivalent replaced by it."""
    if is_gsm(text):
        return text
    return "".join(_map_cluster(cluster) for cluster in _clusters(text))


def _clusters(text: str) -> list[str]:
    """`text` cut before every character that is not a combining mark."""
    clusters: list[str] = []
    for char in text:
        if clusters and unicodedata.combining(char):
            clusters[-1] += char
        else:
            clusters.append(char)
    return clusters


@lru_cache(maxsize=4096)
def _map_cluster(cluster: str) -> str:
    composed = unicodedata.normalize("NFC", cluster)
    if is_gsm(composed):
        return composed
    if composed in _TABLE:
        return _TABLE[composed]
    stripped = "".join(
        char for char in unicodedata.normalize("NFKD", composed) if not unicodedata.combining(char)
    )
    mapped = [char if char in _GSM else _TABLE.get(char) for char in stripped]
    if all(part is not None for part in mapped):  # also drops a stray combining mark
        return "".join(part for part in mapped if part is not None)
    return cluster
