"""Dates and times in words, in the customer's language and the practice's zone.

Appointments are stored as aware instants; a customer reads them as the practice's
wall clock, so every filter converts to the practice's zone first (an appointment
on 25 October 2026 at 10:00, the day summer time ends, shows as 10:00).

| filter | nl | en |
|---|---|---|
| `date_long` | dinsdag 24 november | Tuesday 24 November |
| `date_full` | dinsdag 24 november 2026 | Tuesday 24 November 2026 |
| `date_short` | di 24 nov | Tue 24 Nov |
| `time` | 14:30 | 14:30 |

English uses the day-month order and the 24-hour clock: its readers are customers of
a Dutch practice, whose agenda, signs and phone calls all use them, and "14:30"
cannot be misread the way "2:30" (AM or PM?) can.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.core import Locale, UnknownLocaleError
from babel.dates import format_datetime
from jinja2 import TemplateRuntimeError, Undefined, pass_context
from jinja2.runtime import Context

__all__ = ["PATTERNS", "date_filters"]

PATTERNS = {
    "date_long": "EEEE d MMMM",
    "date_full": "EEEE d MMMM y",
    "date_short": "EEE d MMM",
    "time": "HH:mm",
}
"""CLDR patterns of each filter, the same for every language."""


def date_filters(tz: ZoneInfo) -> dict[str, Callable[..., str]]:
    """The Jinja filters of `PATTERNS`, reading the language from the template's context."""
    return {name: _filter(name, pattern, tz) for name, pattern in PATTERNS.items()}


def _filter(name: str, pattern: str, tz: ZoneInfo) -> Callable[..., str]:
    @pass_context
    def apply(context: Context, value: Any) -> str:
        if isinstance(value, Undefined):
            str(value)  # StrictUndefined: raises, saying which name is missing
        if not isinstance(value, datetime) or value.utcoffset() is None:
            raise TemplateRuntimeError(f"{name} needs an aware datetime, got {value!r}")
        language = context.get("language")
        try:
            locale = Locale.parse(language)
        except (UnknownLocaleError, ValueError, TypeError):
            raise TemplateRuntimeError(f"{name}: no locale for language {language!r}") from None
        return format_datetime(value.astimezone(tz), pattern, tzinfo=tz, locale=locale)

    return apply
