"""Twilio's own handling of STOP, START and HELP: its opt-out list and its answers.

Twilio acts on a customer's SMS that is, as a whole (any case, surrounding spaces
ignored), one of Advanced Opt-Out's default keywords; "Stop please" is an ordinary
message. Sources: Twilio's "Customize users' opt-in and opt-out experience with
Advanced Opt-Out" tutorial, the support articles "Twilio support for opt-out keywords
(SMS STOP filtering)" and "How to Track Opt-Out, Opt-In and Help Messages Using the
OptOutType Parameter", and error 21610 in Twilio's error dictionary.

* opt-out (STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE, OPTOUT): the number
  goes on the list of the sender it texted, and every later message from that sender
  to it is refused at creation with 21610, until it opts in again;
* opt-in (START, UNSTOP, YES): it comes off that list;
* help (HELP, INFO): nothing changes.

Each keyword is answered with Twilio's default text, from the number that received it,
at once and whether or not a webhook is configured; HELP from an opted-out number gets
no answer (Twilio sends it nothing). The sender a list belongs to is the Messaging
Service of the number texted (a service's numbers share one list), or the number itself
when it is in none. The incoming-message webhook still carries the keyword, with the
`OptOutType` parameter (STOP, START or HELP) when the number is in a Messaging Service.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

__all__ = ["DEFAULT_REPLIES", "KEYWORDS", "OptOut", "OptOutList", "list_owner", "opt_out_type"]

#: The `OptOutType` each default keyword has.
KEYWORDS: dict[str, str] = {
    **dict.fromkeys(
        ("STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"), "STOP"
    ),
    **dict.fromkeys(("START", "UNSTOP", "YES"), "START"),
    **dict.fromkeys(("HELP", "INFO"), "HELP"),
}

#: Twilio's default answers, by `OptOutType`.
DEFAULT_REPLIES: dict[str, str] = {
    "STOP": "You have successfully been unsubscribed. You will not receive any more "
    "messages from this number. Reply START to resubscribe.",
    "START": "You have successfully been re-subscribed to messages from this number. "
    "Reply HELP for help. Reply STOP to unsubscribe. Msg&Data Rates May Apply.",
    "HELP": "Reply STOP to unsubscribe. Msg&Data Rates May Apply.",
}


def opt_out_type(body: str) -> str | None:
    """STOP, START or HELP when the whole message is one of Twilio's keywords."""
    return KEYWORDS.get(body.strip().upper())


def list_owner(number: str, numbers: Sequence[str], services: Sequence[str]) -> str:
    """Whose opt-out list covers `number`: the account's Messaging Service, which holds
    all its numbers (the inbound webhook names it), else the number itself (an
    alphanumeric sender ID, which nobody can text, has a list of its own)."""
    return services[0] if services and number in numbers else number


@dataclass(frozen=True)
class OptOut:
    """One number on one sender's list: since when, and by which word."""

    phone: str
    sender: str  # a Messaging Service SID, or the account's number
    word: str
    since: datetime

    def to_json(self) -> dict[str, Any]:
        return {"phone": self.phone, "sender": self.sender, "word": self.word,
                "since": self.since.isoformat()}


class OptOutList:
    """The account's opt-outs, per (sender, number); thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[tuple[str, str], OptOut] = {}

    def hear(self, sender: str, phone: str, body: str, at: datetime) -> str | None:
        """Apply an inbound message from `phone` to `sender`; the `OptOutType` Twilio
        answers (its text is `DEFAULT_REPLIES[...]`), or None when it sends nothing."""
        kind = opt_out_type(body)
        key = (sender, phone)
        with self._lock:
            if kind == "STOP":
                self._entries[key] = OptOut(phone, sender, body.strip().upper(), at)
            elif kind == "START":
                self._entries.pop(key, None)
            elif kind == "HELP" and key in self._entries:
                return None
        return kind

    def blocks(self, sender: str, phone: str) -> bool:
        """Whether `phone` opted out of messages from `sender`."""
        with self._lock:
            return (sender, phone) in self._entries

    def entries(self) -> list[OptOut]:
        with self._lock:
            return sorted(self._entries.values(), key=lambda e: e.since)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
