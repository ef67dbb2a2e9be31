"""How the demo's terminal writes a time, a person and a text.

Times carry their zone's label (`10:42:05 CET`): the demo runs in the practice's zone,
which need not be the terminal's. Phone numbers and addresses are masked as in every
log. A message's text is shown under its line, behind a gutter, wrapped to the width
of a usual terminal.
"""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bridge.observability.masking import mask_email, mask_phone

__all__ = ["GUTTER", "clock", "email_lines", "masked", "text_lines"]

GUTTER = " " * 14 + "│ "
WIDTH = 100


def clock(stamp: float, tz: ZoneInfo) -> str:
    """`10:42:05 CET`: the time in the practice's zone, with the zone's label."""
    return f"{datetime.fromtimestamp(stamp, UTC).astimezone(tz):%H:%M:%S %Z}"


def masked(channel: str, recipient: str) -> str:
    if not recipient:
        return "-"
    return mask_phone(recipient) if channel == "sms" else mask_email(recipient)


def text_lines(text: str) -> list[str]:
    """A whole text, each of its lines wrapped, behind the gutter."""
    width = WIDTH - len(GUTTER)
    lines: list[str] = []
    for line in text.strip().splitlines():
        lines += [GUTTER + part for part in textwrap.wrap(line, width)] or [GUTTER.rstrip()]
    return lines


def email_lines(subject: str, text: str) -> list[str]:
    """An e-mail's subject and the first line of its text."""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    shown = [f"Subject: {subject}"] if subject else []
    return text_lines("\n".join([*shown, first]))
