"""`sms_cost`: encoding and segments as carriers count and bill them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bridge.rendering import Encoding, SmsCost, sms_cost

GSM, UCS = Encoding.GSM_7, Encoding.UCS_2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", SmsCost(GSM, 0, 0)),
        ("JA", SmsCost(GSM, 1, 2)),
        ("a" * 160, SmsCost(GSM, 1, 160)),
        ("a" * 161, SmsCost(GSM, 2, 161)),
        ("a" * 306, SmsCost(GSM, 2, 306)),
        ("a" * 307, SmsCost(GSM, 3, 307)),
        ("€" * 80, SmsCost(GSM, 1, 160)),  # extension characters count two
        ("€" * 81, SmsCost(GSM, 2, 162)),
        ("{}[]~^|\\", SmsCost(GSM, 1, 16)),
        # 306 septets would fit two parts, but the € may not straddle them
        ("a" * 152 + "€" + "a" * 152, SmsCost(GSM, 3, 306)),
        ("Sébastien, Åsa, Müller", SmsCost(GSM, 1, 22)),
        ("Zoë", SmsCost(UCS, 1, 3)),  # ë is not GSM-7: the whole text is UCS-2
        ("ë" * 70, SmsCost(UCS, 1, 70)),
        ("ë" * 71, SmsCost(UCS, 2, 71)),
        ("ë" * 134, SmsCost(UCS, 2, 134)),
        ("ë" * 135, SmsCost(UCS, 3, 135)),
        ("😀" * 35, SmsCost(UCS, 1, 70)),  # outside the BMP: two UTF-16 code units
        ("a" * 66 + "😀" + "a" * 66, SmsCost(UCS, 3, 134)),  # no split surrogate pair
        ("王芳", SmsCost(UCS, 1, 2)),
    ],
)
def test_sms_cost(text: str, expected: SmsCost) -> None:
    assert sms_cost(text) == expected


@given(st.text(alphabet=st.characters(codec=None, exclude_categories=())))
def test_sms_cost_never_raises(text: str) -> None:
    cost = sms_cost(text)
    assert cost.characters >= len(text)
    assert cost.segments >= (1 if text else 0)


@given(st.text())
def test_more_text_never_costs_fewer_segments(text: str) -> None:
    assert sms_cost(text + "a").segments >= sms_cost(text).segments
