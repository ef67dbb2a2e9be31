"""Reading a message back as a customer would: which kind it is and which start it names.

Written from the shipped templates' wording (Dutch and English), not from the bridge's
code: if a template changes its words, this module fails loudly (`unknown`), it does
not guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Messages the plan calls for.
PLANNED = ("prompt", "reminder", "rescheduled", "cancelled")
#: Answers to a customer's reply.
ANSWERS = ("confirmed", "already_confirmed", "need_code", "wrong_code", "reply_cancelled",
           "too_late", "help", "no_appointment", "choose", "failed", "opted_out", "opted_in")

# Order matters: the first pattern that matches wins.
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [(kind, re.compile(text, re.IGNORECASE)) for
                                                kind, text in [
    ("reply_cancelled", r"is geannuleerd\. Bedankt voor het doorgeven|"
                        r"has been cancelled\. Thank you for letting us know"),
    ("already_confirmed", r"was al bevestigd|was already confirmed"),
    ("confirmed", r"is bevestigd\. Tot dan|is confirmed\. See you then"),
    ("need_code", r"hebben we de code nodig|we need the code|need the code"),
    ("wrong_code", r"code klopt helaas niet|that code is not right"),
    ("too_late", r"te kort van tevoren|too soon to cancel"),
    ("help", r"U kunt antwoorden met JA|You can reply JA"),
    ("no_appointment", r"Wij vinden geen komende afspraak|could not find an upcoming"),
    ("choose", r"meerdere afspraken|several appointments"),
    ("failed", r"iets mis met uw bericht|something went wrong on our side"),
    ("opted_out", r"U ontvangt geen sms meer|no longer receive texts"),
    ("opted_in", r"U ontvangt weer sms|receive texts from .* again"),
    ("reminder", r"Herinnering|Reminder"),
    ("rescheduled", r"verplaatst|has been moved"),
    ("cancelled", r"geannuleerd|has been cancelled"),
    ("prompt", r"bevestigen|Please confirm"),
]]
_TIME = re.compile(r"\b([01]?\d|2[0-3])[:.]([0-5]\d)\b")


@dataclass(frozen=True)
class Reading:
    kind: str
    """One of PLANNED or ANSWERS, or "unknown"."""
    time: str | None
    """The appointment's start as HH:MM, local (for a move: the new start)."""


def read(text: str) -> Reading:
    kind = next((k for k, pattern in _PATTERNS if pattern.search(text)), "unknown")
    times = [f"{int(h):02d}:{m}" for h, m in _TIME.findall(text)]
    if not times:
        return Reading(kind, None)
    return Reading(kind, times[-1] if kind == "rescheduled" else times[0])


def read_mail(subject: str, text: str) -> Reading:
    """An e-mail: the kind from the subject, the start from the subject or the body."""
    by_subject = read(subject)
    if by_subject.time is not None:
        return by_subject
    return Reading(by_subject.kind, read(text).time)
