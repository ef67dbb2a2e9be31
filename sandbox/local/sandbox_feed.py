"""What the demo's terminal learns from the sandbox's phone network: the SMS customers
send, and the answers Twilio itself gives to STOP, START and HELP.

Neither passes through the bridge's outbound path (the message log holds only what the
bridge sends), so the demo reads them where they happen: the sandbox's Twilio message
list (`GET /_sandbox/twilio/messages`, newest first). Twilio's own answers carry
`sandbox_auto_reply` (the keyword type they answer); a sandbox without that field shows
none of them. An unreachable sandbox shows nothing for that round, and no error: the
terminal is for the story, the logs are for errors.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from sandbox.local.display import clock, masked, text_lines

__all__ = ["Said", "SandboxFeed"]


@dataclass(frozen=True, slots=True)
class Said:
    """Lines for the terminal, with when it happened and its place in a causal chain
    within one second (a reply, then what it changed, then the answer)."""

    stamp: float
    rank: int
    lines: list[str]


class SandboxFeed:
    def __init__(self, sandbox_url: str, tz: ZoneInfo, timeout: float = 2) -> None:
        self.url = sandbox_url.rstrip("/") + "/_sandbox/twilio/messages"
        self.tz = tz
        self.timeout = timeout
        self.seen: set[str] = set()

    def _messages(self) -> list[dict[str, Any]]:
        try:
            found = httpx.get(self.url, timeout=self.timeout, trust_env=False).json()
        except (httpx.HTTPError, ValueError):
            return []
        return [m for m in found if isinstance(m, dict)] if isinstance(found, list) else []

    def skip_history(self) -> None:
        """What the sandbox holds now is not news."""
        self.seen.update(str(m.get("sid")) for m in self._messages())

    def new(self) -> list[Said]:
        """Customers' SMS and Twilio's own answers not shown yet, oldest first."""
        found = []
        for message in reversed(self._messages()):
            sid = str(message.get("sid"))
            if sid in self.seen:
                continue
            self.seen.add(sid)
            said = self._said(message)
            if said is not None:
                found.append(said)
        return found

    def _said(self, message: dict[str, Any]) -> Said | None:
        stamp = _when(message)
        body = str(message.get("body") or "")
        if message.get("direction") == "inbound":
            sender = masked("sms", str(message.get("from") or ""))
            return Said(stamp, 0, [f"{clock(stamp, self.tz)}  SMS   from {sender:<18} "
                                   f"{'(reply)':<16} {body!r}"])
        answered = message.get("sandbox_auto_reply")
        if not answered:
            return None  # the bridge's own message: the message log shows it
        recipient = masked("sms", str(message.get("to") or ""))
        return Said(stamp, 1, [f"{clock(stamp, self.tz)}  SMS   to {recipient:<20} "
                               f"Twilio's own answer to {answered}", *text_lines(body)])


def _when(message: dict[str, Any]) -> float:
    raw = message.get("sandbox_created_at")
    try:
        moment = datetime.fromisoformat(str(raw))
    except ValueError:
        return datetime.now(UTC).timestamp()
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()
