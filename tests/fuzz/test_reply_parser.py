"""The SMS reply parser (`bridge.domain.intents.understand`) on any text at all.

Whatever a customer (or a broken phone, or an attacker) sends, `understand` returns a
`Reply` with one of the known intents, its fields consistent with that intent, the
same answer every time, and quickly: it never raises.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bridge.domain.intents import MAX_LENGTH, Intent, Reply, normalise, understand
from tests.fuzz.conftest import fuzz_settings, no_hang

#: Any code point, lone surrogates and private use included.
anything = st.text(alphabet=st.characters(codec=None, categories=None), max_size=400)

#: Pieces that make the parser work: its words, codes, digits, and Unicode that
#: normalisation folds, expands or strips.
PIECES = [
    "ja", "JA", "Jà", "ＪＡ", "nee", "ok", "oke", "yes", "Y", "no", "n", "stop", "STOP",
    "start", "unstop", "help", "info", "cancel", "afmelden", "code", "CODE:", "K7M3QP",
    "k7m3qp", "AB12", "ABCDEFGH1234", "ABCDEFGH12345", "1234", "1", "9", "0", "10", "²", "①",
    "٣", "ﷺ", "ǅ", "ß", "ﬁ", "İ", "\u0301", "\u200b", "\u202e", "\ufeff", "\x00", "\n",
    "\t", "👍", "👍🏽", "🇳🇱", "!!", ",", ":", " ", "  ", "-", "K7M3QP\u0301", "é" * 3,
]
pieces = st.lists(st.sampled_from(PIECES), max_size=12).map("".join)

#: Code points that grow most under NFKC (one becomes up to 18), and combining floods.
expanding = st.builds(
    lambda char, count: char * count,
    st.sampled_from(["ﷺ", "ﷻ", "㍱", "\u0301", "a\u0301", "𝔄", "ﬃ", "ǅ"]),
    st.integers(min_value=1, max_value=MAX_LENGTH + 20),
)

_CODE = re.compile(r"[A-Z0-9]{4,12}")


def check(text: str, opted_out: bool) -> Reply:
    with no_hang(1.0):
        reply = understand(text, opted_out=opted_out)
    assert isinstance(reply, Reply) and reply.intent in Intent
    assert understand(text, opted_out=opted_out) == reply
    if reply.intent is Intent.CODE:
        assert reply.code is not None and _CODE.fullmatch(reply.code), reply
        assert any(c.isdigit() for c in reply.code) and any(c.isalpha() for c in reply.code)
    else:
        assert reply.code is None, reply
    if reply.intent is Intent.CHOICE:
        assert reply.choice is not None and 1 <= reply.choice <= 9, reply
    else:
        assert reply.choice is None, reply
    if reply.intent is Intent.UNKNOWN:
        assert reply.keyword == ""
    if len(text) > MAX_LENGTH:
        assert reply.intent is Intent.UNKNOWN
    return reply


@fuzz_settings(1000)
@given(anything, st.booleans())
def test_any_text_gets_a_known_intent(text: str, opted_out: bool) -> None:
    check(text, opted_out)


@pytest.mark.slow
@fuzz_settings(1000)
@given(pieces, st.booleans())
def test_keywords_codes_and_odd_unicode_get_a_known_intent(text: str, opted_out: bool) -> None:
    check(text, opted_out)


@fuzz_settings(100)
@given(expanding, st.booleans())
def test_text_that_normalisation_expands_is_handled_quickly(text: str, opted_out: bool) -> None:
    check(text, opted_out)
    with no_hang(1.0):
        normalise(text)


def test_the_longest_expansion_allowed_is_quick() -> None:
    # 320 × "ﷺ" is 5,760 characters after NFKC: still well under the guard.
    assert check("ﷺ" * MAX_LENGTH, opted_out=False).intent is Intent.UNKNOWN
    assert check("ja" + "\u0301" * (MAX_LENGTH - 2), opted_out=False).intent is Intent.CONFIRM
