"""The inbox view: customers' free-text replies, newest first, each with the
appointments its number had been asked about and whether someone handled it.

The bridge answers such a reply with its help text; this is where a person reads it.
Numbers are masked and any number or address inside a text too (`display`)."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bridge.admin.display import local_time, mask_text, masked_contact
from bridge.store.inbox import Inbox

__all__ = ["InboxRow", "inbox"]

#: The newest this many are shown (the page says how many there are).
LIMIT = 200


@dataclass(frozen=True, slots=True)
class InboxRow:
    sid: str
    when: str
    sender: str
    text: str
    about: str
    """The appointment ids it may be about, or "-"."""
    handled: str
    """When it was marked handled, or "" while it waits."""


def inbox(box: Inbox, tz: ZoneInfo) -> tuple[list[InboxRow], int]:
    rows = [InboxRow(entry.sid, local_time(entry.received, tz),
                     masked_contact("sms", entry.sender), mask_text(entry.body),
                     ", ".join(str(i) for i in entry.about) or "-",
                     local_time(entry.handled_at, tz) if entry.handled_at else "")
            for entry in box.recent(LIMIT)]
    return rows, box.count()
