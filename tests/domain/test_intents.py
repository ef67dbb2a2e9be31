"""Understanding SMS replies: a table of real-world replies, and properties over any text."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bridge.domain.intents import MAX_LENGTH, Intent, Reply, normalise, understand

CONFIRM, CANCEL, CODE, CHOICE = Intent.CONFIRM, Intent.CANCEL, Intent.CODE, Intent.CHOICE
OPT_OUT, OPT_IN, HELP, UNKNOWN = Intent.OPT_OUT, Intent.OPT_IN, Intent.HELP, Intent.UNKNOWN

REPLIES: list[tuple[str, Reply]] = [
    # confirm, Dutch and English
    ("Ja", Reply(CONFIRM, keyword="ja")),
    ("ja!", Reply(CONFIRM, keyword="ja")),
    ("JA.", Reply(CONFIRM, keyword="ja")),
    (" ja. ", Reply(CONFIRM, keyword="ja")),
    ("Ja 👍", Reply(CONFIRM, keyword="ja")),
    ("👍ja👍", Reply(CONFIRM, keyword="ja")),
    ("Jà", Reply(CONFIRM, keyword="ja")),
    ("ja ja", Reply(CONFIRM, keyword="ja")),
    ("Ja, ja!!", Reply(CONFIRM, keyword="ja")),
    ("J", Reply(CONFIRM, keyword="j")),
    ("jawel", Reply(CONFIRM, keyword="jawel")),
    ("JAWEL!", Reply(CONFIRM, keyword="jawel")),
    ("Ok", Reply(CONFIRM, keyword="ok")),
    ("OK!", Reply(CONFIRM, keyword="ok")),
    ("oké", Reply(CONFIRM, keyword="oke")),
    ("Oké 😊", Reply(CONFIRM, keyword="oke")),
    ("bevestig", Reply(CONFIRM, keyword="bevestig")),
    ("Bevestig.", Reply(CONFIRM, keyword="bevestig")),
    ("Y", Reply(CONFIRM, keyword="y")),
    ("yes", Reply(CONFIRM, keyword="yes")),
    ("YES!!!", Reply(CONFIRM, keyword="yes")),
    ("\tJa\r\n", Reply(CONFIRM, keyword="ja")),
    ("ＪＡ", Reply(CONFIRM, keyword="ja")),  # full-width letters
    # cancel
    ("Nee", Reply(CANCEL, keyword="nee")),
    ("nee.", Reply(CANCEL, keyword="nee")),
    ("NEE!", Reply(CANCEL, keyword="nee")),
    ("nee nee", Reply(CANCEL, keyword="nee")),
    ("NO", Reply(CANCEL, keyword="no")),
    ("N", Reply(CANCEL, keyword="n")),
    ("annuleer", Reply(CANCEL, keyword="annuleer")),
    ("Annuleer!", Reply(CANCEL, keyword="annuleer")),
    ("afzeggen", Reply(CANCEL, keyword="afzeggen")),
    # confirmation codes
    ("K7M3QP", Reply(CODE, code="K7M3QP")),
    ("k7m3qp", Reply(CODE, code="K7M3QP")),
    (" K7M3QP. ", Reply(CODE, code="K7M3QP")),
    ("code: K7M3QP", Reply(CODE, code="K7M3QP")),
    ("Code K7M3QP", Reply(CODE, code="K7M3QP")),
    ("JA K7M3QP", Reply(CODE, code="K7M3QP")),
    ("ja, code K7M3QP", Reply(CODE, code="K7M3QP")),
    ("Ok code: k7m3qp 👍", Reply(CODE, code="K7M3QP")),
    ("AB12", Reply(CODE, code="AB12")),
    ("abc123def456", Reply(CODE, code="ABC123DEF456")),
    ("nee K7M3QP", Reply(UNKNOWN)),  # contradicts itself
    ("K7M3QP ja", Reply(UNKNOWN)),
    ("mijn code is K7M3QP", Reply(UNKNOWN)),
    ("123456", Reply(UNKNOWN)),  # a plain number is not a code
    ("ABCDEF", Reply(UNKNOWN)),  # neither is a word without a digit
    ("A1B", Reply(UNKNOWN)),  # too short
    ("abc123def4567", Reply(UNKNOWN)),  # too long
    ("K7M3QP K7M3QP", Reply(UNKNOWN)),
    # choices
    ("1", Reply(CHOICE, choice=1, keyword="1")),
    ("2.", Reply(CHOICE, choice=2, keyword="2")),
    (" 9 ", Reply(CHOICE, choice=9, keyword="9")),
    ("１", Reply(CHOICE, choice=1, keyword="1")),  # full-width digit
    ("0", Reply(UNKNOWN)),
    ("10", Reply(UNKNOWN)),
    ("1 2", Reply(UNKNOWN)),
    # opt out: Twilio's words, so CANCEL never cancels an appointment
    ("STOP", Reply(OPT_OUT, keyword="stop")),
    ("stop!", Reply(OPT_OUT, keyword="stop")),
    ("Stop.", Reply(OPT_OUT, keyword="stop")),
    ("Stopall", Reply(OPT_OUT, keyword="stopall")),
    ("unsubscribe", Reply(OPT_OUT, keyword="unsubscribe")),
    ("CANCEL", Reply(OPT_OUT, keyword="cancel")),
    ("cancel", Reply(OPT_OUT, keyword="cancel")),
    ("end", Reply(OPT_OUT, keyword="end")),
    ("quit", Reply(OPT_OUT, keyword="quit")),
    ("revoke", Reply(OPT_OUT, keyword="revoke")),
    ("optout", Reply(OPT_OUT, keyword="optout")),
    ("afmelden", Reply(OPT_OUT, keyword="afmelden")),
    ("Afmelden!", Reply(OPT_OUT, keyword="afmelden")),
    ("Cancel please", Reply(UNKNOWN)),
    ("stop stop", Reply(UNKNOWN)),  # Twilio acts on a single word only
    ("opt out", Reply(UNKNOWN)),
    # opt in, help
    ("START", Reply(OPT_IN, keyword="start")),
    ("unstop", Reply(OPT_IN, keyword="unstop")),
    ("help", Reply(HELP, keyword="help")),
    ("HELP?", Reply(HELP, keyword="help")),
    ("info", Reply(HELP, keyword="info")),
    # anything else
    ("?", Reply(UNKNOWN)),
    ("", Reply(UNKNOWN)),
    ("   ", Reply(UNKNOWN)),
    ("👍", Reply(UNKNOWN)),
    ("👍👍🙏", Reply(UNKNOWN)),
    ("nee hoor, ik kom gewoon", Reply(UNKNOWN)),
    ("ja maar ik ben 5 minuten later", Reply(UNKNOWN)),
    ("Ik kan niet komen", Reply(UNKNOWN)),
    ("Yes please", Reply(UNKNOWN)),
    ("Jaa", Reply(UNKNOWN)),
    ("okay", Reply(UNKNOWN)),
    ("jup", Reply(UNKNOWN)),
    ("Neeee", Reply(UNKNOWN)),
    ("ja nee", Reply(UNKNOWN)),
    ("Ja graag, tot morgen!", Reply(UNKNOWN)),
    ("Ik wil afzeggen", Reply(UNKNOWN)),
    ("Hoe laat was het ook alweer?", Reply(UNKNOWN)),
    ("ja" + " " * MAX_LENGTH, Reply(UNKNOWN)),  # longer than an SMS body we read
]


@pytest.mark.parametrize(("text", "expected"), REPLIES)
def test_reply(text: str, expected: Reply) -> None:
    assert understand(text) == expected


def test_the_table_is_large_and_has_no_duplicates() -> None:
    texts = [text for text, _ in REPLIES]
    assert len(texts) >= 60
    assert len(texts) == len(set(texts))


@pytest.mark.parametrize("text", ["YES", "yes", " Yes! "])
def test_yes_from_an_opted_out_number_opts_in_as_at_twilio(text: str) -> None:
    assert understand(text, opted_out=True) == Reply(OPT_IN, keyword="yes")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ja", Reply(CONFIRM, keyword="ja")),  # only YES is a Twilio opt-in word
        ("Y", Reply(CONFIRM, keyword="y")),
        ("yes yes", Reply(CONFIRM, keyword="yes")),  # not a single word: Twilio ignores it
        ("START", Reply(OPT_IN, keyword="start")),
        ("STOP", Reply(OPT_OUT, keyword="stop")),
        ("yes K7M3QP", Reply(CODE, code="K7M3QP")),
    ],
)
def test_other_replies_from_an_opted_out_number(text: str, expected: Reply) -> None:
    assert understand(text, opted_out=True) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (" Jà!! 👍 ", "ja"),
        ("Nee hoor,   ik kom\tgewoon.", "nee hoor ik kom gewoon"),
        ("CODE:K7M3QP", "code k7m3qp"),
        ("Straße", "strasse"),
        ("café-crème", "cafe creme"),
        ("\x00ja\x07", "ja"),
        ("\ud800ja", "ja"),  # a lone surrogate
    ],
)
def test_normalise(text: str, expected: str) -> None:
    assert normalise(text) == expected


@given(st.text(max_size=400), st.booleans())
@example("\ud800\udfff" * 200, False)
@example("ﷺ" * MAX_LENGTH, False)  # expands eighteen-fold under NFKC
def test_understand_never_raises(text: str, opted_out: bool) -> None:
    reply = understand(text, opted_out=opted_out)
    assert (reply.code is not None) == (reply.intent is CODE)
    assert (reply.choice is not None) == (reply.intent is CHOICE)
    assert (reply.keyword == "") == (reply.intent in (CODE, UNKNOWN))


def test_a_huge_body_is_unknown() -> None:
    assert understand("ja " * 100_000) == Reply(UNKNOWN)


@given(st.text())
@example("İ")
@example("ǅ")
def test_normalise_is_idempotent(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once


noise = st.text(alphabet=" \t\r\n.,!?;:-'\"()…👍🙏😊", max_size=6)
KEYWORDS = [
    *("ja", "j", "jawel", "ok", "oke", "bevestig", "yes", "y"),
    *("nee", "n", "annuleer", "afzeggen", "no"),
    *("stop", "stopall", "unsubscribe", "cancel", "end", "quit", "revoke", "optout"),
    *("afmelden", "start", "unstop", "help", "info", "1", "9", "k7m3qp"),
]
CASES: list[Callable[[str], str]] = [str.upper, str.lower, str.title]


@given(st.sampled_from(KEYWORDS), noise, noise, st.sampled_from(CASES), st.booleans())
def test_surroundings_never_change_a_keyword(
    keyword: str, before: str, after: str, case: Callable[[str], str], opted_out: bool
) -> None:
    expected = understand(keyword, opted_out=opted_out)
    assert expected.intent is not UNKNOWN
    assert understand(before + case(keyword) + after, opted_out=opted_out) == expected
