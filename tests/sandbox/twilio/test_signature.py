"""The sandbox's own X-Twilio-Signature code against Twilio's documented example and
against the `twilio` package's RequestValidator (the receiving side's reference)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator

from sandbox.twilio import compute_signature, is_valid_signature
from sandbox.twilio.signature import signing_string

DOC_URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
DOC_PARAMS = {
    "CallSid": "CA1234567890ABCDE",
    "Caller": "+12349013030",
    "Digits": "1234",
    "From": "+12349013030",
    "To": "+18005551212",
}


def test_twilio_documented_example() -> None:
    assert compute_signature("12345", DOC_URL, DOC_PARAMS) == "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
    assert is_valid_signature("12345", DOC_URL, DOC_PARAMS, "0/KCTR6DLpKmkAf8muzZqo1nDgQ=")
    assert not is_valid_signature("12346", DOC_URL, DOC_PARAMS, "0/KCTR6DLpKmkAf8muzZqo1nDgQ=")
    assert not is_valid_signature("12345", DOC_URL, DOC_PARAMS, "wrong")


def test_parameters_sorted_by_name_and_fragment_ignored() -> None:
    params = [("b", "2"), ("a", "1"), ("Media", "y"), ("Media", "x")]
    assert signing_string("https://h/p?q=1#rc=2", params) == "https://h/p?q=1MediaxMediaya1b2"


names = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=12)
values = st.text(max_size=30)


@given(
    token=st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1),
    path=st.text(st.sampled_from("abcxyz/-_."), max_size=20),
    params=st.dictionaries(names, values, max_size=8),
)
def test_agrees_with_the_twilio_package(token: str, path: str, params: dict[str, str]) -> None:
    url = f"https://example.nl/{path}?x=1"
    signature = compute_signature(token, url, params)
    validator = RequestValidator(token)
    assert signature == validator.compute_signature(url, params)
    assert validator.validate(url, params, signature)
