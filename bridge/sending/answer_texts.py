"""Whether an SMS Twilio lists is one of the bridge's answers to a reply.

After Redis forgot (`bridge.sending.recovery.answered_before_loss`), a reply from before
the loss counts as answered only when Twilio lists an answer to its number after it: an
SMS of any other kind (a reminder, a prompt) in those minutes is not its answer, and a
reply taken as answered is never answered or acted on. The loss took the appointment
the answer was about, so the answer's exact text cannot be rendered again; each answer
template is rendered twice, with every value different, and the parts the two share
(the template's own words) make a pattern that any rendering of it matches.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bridge.rendering import Choice, MessageContext, Renderer, RenderError
from bridge.rendering.kinds import REPLY_KINDS

__all__ = ["answer_matcher"]

_LANGUAGES = ("nl", "en")
#: Answers that list the customer's appointments: known by what precedes the list.
_LISTS = frozenset({"reply_choose"})
#: The shortest shared run that is the template's own words, not a coincidence of values.
_SHORTEST_RUN = 3


@dataclass(frozen=True)
class _Values:
    practice: str
    phone: str
    start: datetime
    kind: str
    first_name: str


#: Two sets of values with nothing in common (no shared digit in a date or a time, no
#: shared run in a name), so that what the two renderings share is the template's.
_ONE = _Values("Praktijk Aaaa", "+31 10 111 1111", datetime(2031, 3, 4, 8, 5, tzinfo=UTC),
               "Consult", "Zoë")
_OTHER = _Values("Kliniek Bbbbbbb", "020 2222222", datetime(2048, 11, 27, 16, 47, tzinfo=UTC),
                 "Behandeling", "Daniëlle")


def _context(values: _Values, *, phone: bool, appointment: bool, can_reply: bool,
             action: str | None, choices: int) -> MessageContext:
    start = values.start if appointment else None
    return MessageContext(
        practice_name=values.practice, practice_phone=values.phone if phone else "",
        customer_first_name=values.first_name, customer_name=values.first_name,
        start=start, end=None if start is None else start + timedelta(minutes=30),
        appointment_type=values.kind, can_reply=can_reply,
        action=action,  # type: ignore[arg-type]
        choices=tuple(Choice(n, values.start + timedelta(days=n), values.kind)
                      for n in range(1, choices + 1)),
    )


def _shared_head(one: str, other: str) -> int:
    """How many characters the two texts begin with alike."""
    return next((i for i, (a, b) in enumerate(zip(one, other, strict=False)) if a != b),
                min(len(one), len(other)))


def _pattern(one: str, other: str) -> str:
    """A pattern both texts match: their shared runs, anything between them."""
    blocks = [b for b in difflib.SequenceMatcher(None, one, other, autojunk=False)
              .get_matching_blocks() if b.size >= _SHORTEST_RUN]
    parts, at = [], 0
    for block in blocks:
        if block.a > at:
            parts.append(".+?")
        parts.append(re.escape(one[block.a:block.a + block.size]))
        at = block.a + block.size
    if at < len(one):
        parts.append(".+?")
    return "".join(parts)


@functools.cache
def answer_matcher(renderer: Renderer) -> Callable[[str], bool]:
    """Whether a text is one of the bridge's answers to a reply, in any language, with
    or without a phone number, an appointment, choices. A template that does not render
    is left out (its answers are then not recognised: the reply is answered). Built
    once per renderer (a tenth of a second)."""
    patterns: list[re.Pattern[str]] = []
    for kind in REPLY_KINDS:
        for language in _LANGUAGES:
            for phone in (True, False):
                for appointment in (True, False):
                    for action, choices in ((None, 0), ("confirm", 2), ("cancel", 2)):
                        try:
                            one, other = (renderer.render(
                                kind, language, "sms", _context(
                                    v, phone=phone, appointment=appointment,
                                    can_reply=True, action=action, choices=choices)).text
                                for v in (_ONE, _OTHER))
                        except (RenderError, ValueError):
                            continue
                        if kind in _LISTS:  # as many lines as choices, typed or not
                            head = one[:_shared_head(one, other)]
                            patterns.append(re.compile(re.escape(head) + ".*", re.DOTALL))
                        else:
                            patterns.append(re.compile(_pattern(one, other), re.DOTALL))
    unique = list({p.pattern: p for p in patterns}.values())
    return lambda body: any(p.fullmatch(body) for p in unique)
