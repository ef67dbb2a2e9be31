"""`to_gsm`: customer data in the cheapest encoding that still reads right."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bridge.rendering import is_gsm, to_gsm
from bridge.rendering.gsm import _TABLE, GSM_BASIC, GSM_EXTENDED


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Daniëlle", "Danielle"),
        ("Zoë", "Zoe"),
        ("Chloë", "Chloe"),
        ("Sébastien", "Sébastien"),  # é is GSM-7: it costs nothing, keep it
        ("İlayda", "Ilayda"),
        ("Łukasz", "Lukasz"),
        ("François", "Francois"),
        ("Ç", "Ç"),  # GSM-7 has the capital only
        ("Straße", "Straße"),
        ("ẞ", "SS"),
        ("Åsa Øberg-Æbeltoft", "Åsa Øberg-Æbeltoft"),
        ("Müller, Jäger, Björk, Muñoz", "Müller, Jäger, Björk, Muñoz"),
        ("Gülşen Çakır", "Gülsen Çakir"),
        ("Ĳsselmeer", "IJsselmeer"),
        ("Dvořák", "Dvorak"),
        ("Đorđe", "Dorde"),
        ("Þórunn", "Thorunn"),
        ("Cœur", "Coeur"),
        ("‘Huis’ “aan” zee – nu — later…", "'Huis' \"aan\" zee - nu - later..."),
        ("10\u00a0uur", "10 uur"),
        ("Ze\u0308nobia", "Zenobia"),  # a decomposed ë
        ("€ 25 {x} [y] ~ ^ | \\", "€ 25 {x} [y] ~ ^ | \\"),  # the extension table
        ("王芳", "王芳"),  # no mapping: kept, the SMS goes out as UCS-2
        ("Anna 😀", "Anna 😀"),
        ("", ""),
    ],
)
def test_to_gsm(text: str, expected: str) -> None:
    assert to_gsm(text) == expected


def test_the_table_maps_only_to_gsm() -> None:
    assert all(is_gsm(value) for value in _TABLE.values())


def test_the_alphabet_has_127_basic_and_10_extension_characters() -> None:
    assert len(GSM_BASIC) == 127  # 128 codes, one of them the escape to the extension
    assert len(GSM_EXTENDED) == 10  # ^ { } \ [ ~ ] | € and form feed


def _mappable() -> list[str]:
    """Characters with a known GSM-7 spelling, picked without asking `to_gsm`."""
    latin = [
        chr(code)
        for code in range(0xC0, 0x250)
        if unicodedata.normalize("NFKD", chr(code))[0].isascii()
        and unicodedata.normalize("NFKD", chr(code))[0].isalpha()
    ]
    return sorted(set(GSM_BASIC) | set(GSM_EXTENDED) | set(_TABLE) | set(latin))


@given(st.text())
def test_to_gsm_is_idempotent(text: str) -> None:
    once = to_gsm(text)
    assert to_gsm(once) == once


@given(st.text(alphabet=st.sampled_from(_mappable())))
def test_mappable_text_comes_out_gsm(text: str) -> None:
    assert is_gsm(to_gsm(text))


@given(st.text(alphabet=st.sampled_from(sorted(GSM_BASIC | GSM_EXTENDED))))
def test_gsm_text_is_left_alone(text: str) -> None:
    assert to_gsm(text) == text
