"""Segment counting: GSM-7 160/153 with two-septet extension characters, UCS-2 70/67,
and no character split over two segments."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from twilio.rest import Client

from sandbox.twilio import DEMO_NUMBER, count_segments
from sandbox.twilio.segments import GSM7_BASIC, GSM7_EXTENSION


@pytest.mark.parametrize(
    ("body", "encoding", "units", "segments"),
    [
        ("", "GSM-7", 0, 1),
        ("a" * 160, "GSM-7", 160, 1),
        ("a" * 161, "GSM-7", 161, 2),
        ("a" * 306, "GSM-7", 306, 2),
        ("a" * 307, "GSM-7", 307, 3),
        ("€" * 80, "GSM-7", 160, 1),  # extension characters count double...
        ("€" * 81, "GSM-7", 162, 2),
        ("a" * 159 + "[", "GSM-7", 161, 2),
        ("a" * 152 + "€" + "a" * 152, "GSM-7", 306, 3),  # ...and are never split
        ("Uw afspraak: di 21-10 om 10:00 @ De Linde. Antwoord JA/NEE.", "GSM-7", 59, 1),
        ("Beste Zoë", "UCS-2", 9, 1),  # ë is not in the GSM alphabet
        ("ł" * 70, "UCS-2", 70, 1),
        ("ł" * 71, "UCS-2", 71, 2),
        ("ł" * 134, "UCS-2", 134, 2),
        ("ł" * 135, "UCS-2", 135, 3),
        ("😀" * 35, "UCS-2", 70, 1),  # astral characters are two UTF-16 units
        ("ł" * 66 + "😀" + "ł" * 66, "UCS-2", 134, 3),  # a surrogate pair is never split
        ("a" * 69 + "€" + "ł", "UCS-2", 71, 2),  # one UCS-2 character switches it all
    ],
)
def test_counts(body: str, encoding: str, units: int, segments: int) -> None:
    count = count_segments(body)
    assert (count.encoding, count.units, count.segments) == (encoding, units, segments)


def test_the_gsm_tables() -> None:
    assert len(set(GSM7_BASIC)) == len(GSM7_BASIC) == 127  # 128 minus the escape code
    assert set(GSM7_EXTENSION) == set("\f^{}\\[~]|€")
    assert not set(GSM7_BASIC) & set(GSM7_EXTENSION)


@given(st.text(alphabet=st.sampled_from(sorted(set(GSM7_BASIC))), max_size=700))
def test_plain_gsm_text_matches_the_simple_formula(body: str) -> None:
    expected = 1 if len(body) <= 160 else math.ceil(len(body) / 153)
    assert count_segments(body).segments == expected


@given(st.text(max_size=400))
def test_never_fewer_segments_than_the_units_allow(body: str) -> None:
    count = count_segments(body)
    per_segment = {"GSM-7": (160, 153), "UCS-2": (70, 67)}[count.encoding]
    if count.units <= per_segment[0]:
        assert count.segments == 1
    else:
        assert count.segments >= math.ceil(count.units / per_segment[1])
        assert count.segments <= math.ceil(count.units / (per_segment[1] - 1))


def test_the_api_reports_segments(client: Client) -> None:
    long = client.messages.create(to="+31612345678", from_=DEMO_NUMBER, body="a" * 161)
    unicode = client.messages.create(to="+31612345678", from_=DEMO_NUMBER, body="Zoë" * 24)
    assert (long.num_segments, unicode.num_segments) == ("2", "2")
