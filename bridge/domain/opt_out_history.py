"""Whether a number was opted out of SMS at some moment of a span, told by what it sent.

After Redis forgot, the bridge no longer knows when a customer had opted out; the texts
the number sent (Twilio lists them) do, read with the words Twilio and the bridge both
act on (`bridge.domain.intents`: STOP and its kin out, START and its kin in, YES in
only from an opted-out number). Under `sms_or_email` a message due while the number
was opted out went by e-mail, so the SMS the loss now plans for it would be its second
copy (`bridge.sending.asked_first`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from bridge.domain.intents import Intent, understand

__all__ = ["opted_out_during"]


def opted_out_during(texts: Iterable[tuple[datetime, str]], after: datetime,
                     until: datetime) -> bool:
    """Whether the number that sent `texts` (when, body) was opted out at some moment
    from `after` to `until`: its last opt-out or opt-in word up to `after` opted it out,
    or it sent an opt-out word between the two. Texts after `until` do not count.
    `texts` reach back a while only: when the first of those words is an opt-in (START,
    UNSTOP), the number was opted out before it, by a STOP from before the texts."""
    ordered = sorted(texts, key=lambda text: text[0])
    opted_out = _first_word_opts_in(ordered)
    for at, body in ordered:
        if at > until:
            break
        if at > after and opted_out:  # out when `after` came
            return True
        intent = understand(body, opted_out=opted_out).intent
        if intent is Intent.OPT_OUT:
            opted_out = True
        elif intent is Intent.OPT_IN:
            opted_out = False
    return opted_out


def _first_word_opts_in(texts: list[tuple[datetime, str]]) -> bool:
    """Whether the first opt-out or opt-in word among `texts` opts in."""
    for _at, body in texts:
        intent = understand(body).intent
        if intent in (Intent.OPT_OUT, Intent.OPT_IN):
            return intent is Intent.OPT_IN
    return False
