"""The price table for the shadow report's estimate (#17): longest calling code wins, a
number no code matches is not guessed, and a bad table is refused naming its entry."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bridge.domain.sms_prices import DEFAULT_SMS_PRICES, parse_sms_prices
from bridge.settings import SettingsError, load_settings


def test_the_defaults_price_five_countries() -> None:
    prices = parse_sms_prices(DEFAULT_SMS_PRICES)
    for number in ("+31612345678", "+32470123456", "+4915123456789", "+33612345678",
                   "+447700900123"):
        assert prices.per_segment(number) is not None, number
    assert prices.per_segment("+12025550123") is None
    assert prices.estimate("+31612345678", 3) == Decimal("0.270")


def test_the_longest_calling_code_wins() -> None:
    prices = parse_sms_prices("1=0.01, 1242=0.20")
    assert prices.per_segment("+12425550123") == Decimal("0.20")
    assert prices.per_segment("+12025550123") == Decimal("0.01")


@pytest.mark.parametrize(("text", "said"), [
    ("31:0.09", "calling code"), ("031=0.09", "calling code"), ("31=cheap", "not a number"),
    ("31=-1", "0 or more"), ("31=NaN", "0 or more"), ("31=0.1,31=0.2", "listed twice"),
])
def test_a_bad_table_is_refused_by_its_entry(text: str, said: str) -> None:
    with pytest.raises(ValueError, match=said):
        parse_sms_prices(text)
    with pytest.raises(SettingsError, match="OABRIDGE_SMS_PRICES"):
        load_settings({"OABRIDGE_SMS_PRICES": text})
