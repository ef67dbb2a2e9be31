"""How values appear on the operator page: masked contact details, practice-local times.

Every view builds its rows through these helpers, so that no page can show a
customer's number or address in full (the operator page is a place where personal
data could leak: a screenshot, a shared screen, a browser cache). Message texts are
shown, because operators need to see what went out, but with any phone number or
address inside them masked. Customer names stay readable in texts: the practice's
operators know their customers by name anyway.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bridge.observability.masking import mask_email, mask_phone, mask_text

__all__ = ["local_time", "mask_text", "masked_contact"]


def masked_contact(channel: str, recipient: str) -> str:
    """A recipient as an operator may see it: `+31******78`, `d***@example.nl`."""
    if not recipient:
        return "-"
    if channel == "email" or "@" in recipient:
        return mask_email(recipient)
    return mask_phone(recipient)


def local_time(moment: datetime | int, tz: ZoneInfo, pattern: str = "%Y-%m-%d %H:%M") -> str:
    """An instant (aware datetime or epoch seconds) as the practice's wall clock reads it."""
    if isinstance(moment, int):
        if moment <= 0:
            return "-"
        moment = datetime.fromtimestamp(moment, UTC)
    return moment.astimezone(tz).strftime(pattern)
