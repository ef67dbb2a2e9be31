"""What an SMS costs, for the shadow report's estimate (#17): a price per segment by
the recipient's country calling code, from `OABRIDGE_SMS_PRICES`.

Written `31=0.09,32=0.087` (calling code = price per segment, in the price list's
currency); the longest code that prefixes the number wins (`1` and `1242` can both be
listed). The defaults are rough figures for the Netherlands, Belgium, Germany, France
and the United Kingdom, to be replaced by the account's own price list; a number no
code matches is counted apart, not guessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

__all__ = ["DEFAULT_SMS_PRICES", "SmsPrices", "parse_sms_prices"]

#: NL, BE, DE, FR, GB: euros per outbound segment, rough (check your provider's list).
DEFAULT_SMS_PRICES = "31=0.090,32=0.087,49=0.085,33=0.079,44=0.046"


@dataclass(frozen=True)
class SmsPrices:
    by_code: dict[str, Decimal]

    def per_segment(self, e164: str) -> Decimal | None:
        """The price of one segment to this number, or None when no code matches."""
        digits = e164.removeprefix("+")
        for length in range(min(4, len(digits)), 0, -1):
            price = self.by_code.get(digits[:length])
            if price is not None:
                return price
        return None

    def estimate(self, e164: str, segments: int) -> Decimal | None:
        price = self.per_segment(e164)
        return None if price is None else price * segments


def parse_sms_prices(text: str) -> SmsPrices:
    """`ValueError` names the entry that is wrong."""
    prices: dict[str, Decimal] = {}
    for entry in (part.strip() for part in text.split(",")):
        if not entry:
            continue
        code, _, price = (piece.strip() for piece in entry.partition("="))
        if not (code.isascii() and code.isdigit() and 1 <= len(code) <= 4
                and not code.startswith("0")):
            raise ValueError(f"{entry!r}: a country calling code is 1-4 digits (31, 44)")
        try:
            value = Decimal(price)
        except InvalidOperation:
            raise ValueError(f"{entry!r}: the price is not a number") from None
        if not value.is_finite() or value < 0:
            raise ValueError(f"{entry!r}: the price must be 0 or more")
        if code in prices:
            raise ValueError(f"{entry!r}: calling code {code} is listed twice")
        prices[code] = value
    return SmsPrices(prices)
