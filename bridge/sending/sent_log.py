"""Twilio's log of a recent span, read once and asked many times after a loss.

After Redis forgot, each SMS that may have gone out before asks Twilio's log about
itself (`bridge.sending.recovery`), and each reply found again by the inbound scan asks
whether it was answered. One question is one or two listings of Twilio's log; a loss
found a few hundred of them at once in the full soak (cancellations read again, replies
scanned again), and the two worker processes spent a minute and a half asking, while
the polls that read new changes waited. So a batch of sends, and an inbound scan, read
the whole span once (`SmsSender.listed_since`: a few pages of 1,000) and ask this.
The same listing holds what customers texted (`texts_from`): an unseen cancellation asks
whether its customer had asked to cancel (`bridge.sending.own_cancellation`).

What it can answer, and what not:

- **Found** (`find`): an SMS in the span to the number, with a text the message may
  have had, not another message's. That is proof it went out; the listing is as good
  as Twilio's answer to the message's own question.
- **Not found** proves nothing: it may have been sent after the span was read, or
  before the span began. The caller asks Twilio itself, as before.
- **Answered** (`answered`): whether an answer went to a number between two moments.
  When the span covers both and the listing was read in full, no is a true no.
- **Texts from** a number between two moments (`texts_from`): all of them when the
  span covers both (`covers`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import datetime

from bridge.outbound.sms import LoggedSms, SmsReceipt

__all__ = ["SentLog"]


class SentLog:
    """The SMS the bridge sent since `since`, every one of them until `complete_until`
    (None: the listing was cut short, and proves only what it holds)."""

    def __init__(self, sent: list[LoggedSms], since: datetime,
                 complete_until: datetime | None) -> None:
        self.since = since
        self.complete_until = complete_until
        self._by_number: dict[str, list[LoggedSms]] = defaultdict(list)
        self._by_sender: dict[str, list[LoggedSms]] = defaultdict(list)
        for sms in sorted(sent, key=_when, reverse=True):  # newest first, as Twilio lists
            if sms.sender:
                self._by_sender[sms.sender].append(sms)
            else:
                self._by_number[sms.to].append(sms)

    def find(self, to: str, matches: Callable[[str], bool], since: datetime,
             taken: Callable[[str], bool] | None = None) -> SmsReceipt | None:
        """An SMS to `to` since `since` whose text `matches` accepts and that `taken`
        does not say is another message's; None proves nothing (module)."""
        for sms in self._by_number.get(to, ()):
            if _when(sms) >= since and matches(sms.body) \
                    and (taken is None or not taken(sms.sid)):
                return SmsReceipt(sms.sid, sms.status, None)
        return None

    def covers(self, after: datetime, until: datetime) -> bool:
        """Whether `answered` is a true answer from `after` to `until`."""
        return self.complete_until is not None and self.since <= after \
            and until <= self.complete_until

    def answered(self, to: str, after: datetime, until: datetime,
                 is_answer: Callable[[str], bool]) -> bool:
        """Whether an SMS `is_answer` accepts was sent to `to` from `after` to `until`
        (Twilio's `DateSent`, as `SmsSender.sent_to_between` asks it)."""
        return any(sms.sent is not None and after <= sms.sent <= until
                   and is_answer(sms.body) for sms in self._by_number.get(to, ()))


    def texts_from(self, sender: str, after: datetime,
                   until: datetime) -> list[tuple[datetime, str]]:
        """What `sender` texted from `after` to `until` (when, body), oldest first;
        every such text only when the span `covers` the two."""
        return sorted((_when(sms), sms.body) for sms in self._by_sender.get(sender, ())
                      if after <= _when(sms) <= until)


def _when(sms: LoggedSms) -> datetime:
    """When the SMS went out, or was accepted if it has not yet."""
    when = sms.sent if sms.sent is not None else sms.created
    assert when is not None  # `SmsSender.listed_since` keeps only those with one
    return when
