"""The oracle's kind of a sent message: the customer's reading of it, with one more kind
for a move of a PENDING appointment (#13), and the bridge's name for each planned kind."""

from __future__ import annotations

import re

from bench.soaklib.evidence import Sent

#: The bridge's name (in its skip records) for each planned kind.
BRIDGE_KIND = {"prompt": "confirm_request", "reminder": "reminder",
               "rescheduled": "rescheduled", "moved_prompt": "rescheduled",
               "cancelled": "cancelled"}
#: #13: a move of a PENDING appointment gets one text that tells the new time and asks
#: to confirm ("moved_prompt"), in place of a move notice and a prompt for the new start.
_ASKS = re.compile(r"bevestig|confirm", re.IGNORECASE)


def message_kind(message: Sent) -> str:
    kind = message.reading.kind
    return "moved_prompt" if kind == "rescheduled" and _ASKS.search(message.text) else kind
