"""Realistic sample data for every kind: what previews show and tests render.

Two sets: a typical one, and the longest values a real practice plausibly has (long
double first names with diacritics, a long practice name with an ampersand, long
appointment type and practitioner names, the longest day and month names). The SMS
budget (GSM-7, at most two segments) is checked against the longest set.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bridge.rendering.context import Choice, MessageContext
from bridge.rendering.kinds import APPOINTMENT_KINDS, KINDS, RESCHEDULED_CONFIRM

__all__ = ["WITH_APPOINTMENT", "sample_context"]

WITH_APPOINTMENT = frozenset(
    (
        *APPOINTMENT_KINDS,
        "reply_confirmed",
        "reply_already_confirmed",
        "reply_cancelled",
        "reply_too_late",
    )
)
"""The kinds that are about one appointment; the other replies have none."""
_MOVED = frozenset(("rescheduled", RESCHEDULED_CONFIRM))

_TYPICAL = {
    "practice_name": "Fysiotherapie De Linde",
    "practice_phone": "030-2345678",
    "appointment_type": "Behandeling",
    "practitioner": "Marieke de Vries",
    "code": "K7M3QP",
}
_LONGEST = {
    "practice_name": "Fysiotherapie & Manuele Therapie De Linde",
    "practice_phone": "+31 (0)30 234 56 78",
    "appointment_type": "Intake fysiotherapie en manuele therapie",
    "practitioner": "Wilhelmina van der Sluijs-Bakker",
    "code": "K7M3QP9X",
}
_CUSTOMERS = {
    # (typical first, typical full, longest first, longest full)
    "nl": ("Daniëlle", "Daniëlle van den Berg",
           "Anne-Marijke Daniëlle", "Anne-Marijke Daniëlle van den Heuvel-Özdemir"),
    "en": ("Chloë", "Chloë O'Sullivan",
           "Marie-Christine Zoë", "Marie-Christine Zoë Fitzgerald-Łukasiewicz"),
}  # fmt: skip


def sample_context(
    kind: str, language: str, tz: ZoneInfo, *, longest: bool = False
) -> MessageContext:
    """A context for `kind` with realistic data; `longest` for the SMS budget check."""
    if kind not in KINDS:
        raise ValueError(f"unknown message kind {kind!r}")
    values = _LONGEST if longest else _TYPICAL
    names = _CUSTOMERS.get(language, _CUSTOMERS["nl"])
    first, full = (names[2], names[3]) if longest else (names[0], names[1])
    # Wednesday 30 September has the longest day and month names, in both languages.
    start = (
        datetime(2026, 9, 30, 14, 30, tzinfo=tz)
        if longest
        else datetime(2026, 11, 24, 14, 30, tzinfo=tz)
    )
    with_appointment = kind in WITH_APPOINTMENT
    return MessageContext(
        practice_name=values["practice_name"],
        practice_phone=values["practice_phone"],
        customer_first_name=first,
        customer_name=full,
        start=start if with_appointment else None,
        end=start + timedelta(minutes=45) if with_appointment else None,
        previous_start=start - timedelta(days=7, hours=5) if kind in _MOVED else None,
        appointment_type=values["appointment_type"] if with_appointment else "",
        practitioner=values["practitioner"] if with_appointment else "",
        confirmation_code=values["code"] if kind in APPOINTMENT_KINDS else None,
        can_reply=True,
        choices=_choices(start, values["appointment_type"]) if kind == "reply_choose" else (),
        action="cancel" if kind == "reply_choose" else None,
    )


def _choices(start: datetime, appointment_type: str) -> tuple[Choice, ...]:
    """Three appointments a week apart: the most a `reply_choose` text lists."""
    return tuple(
        Choice(number, start + timedelta(days=7 * (number - 1)), appointment_type)
        for number in (1, 2, 3)
    )
