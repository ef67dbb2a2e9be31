"""The demo's story in the terminal: each message as it goes out and what became of it,
the customers' replies, Twilio's own answers, and what each reply changed upstream.

- The bridge's messages come from its message log, which holds each one's rendered
  text and subject as sent, and its status as the bridge knows it: the first line of a
  message shows its text (an SMS in full; an e-mail's subject and first line), later
  status changes one line each.
- What replies changed comes from the reply-effects stream the reply handler writes.
- Customers' SMS and Twilio's own answers come from the sandbox (`sandbox_feed.py`).

Within one poll the lines are in time order; within one second a reply comes before
what it changed, and that before the answer.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bridge.store.message_log import MessageLog, MessageRecord
from bridge.store.reply_effects import ReplyEffects
from sandbox.local.display import clock, email_lines, masked, text_lines
from sandbox.local.sandbox_feed import Said, SandboxFeed

__all__ = ["Announcer"]

_SHOWN = {"sent", "delivered", "undelivered", "failed", "skipped", "unknown"}
#: How many of the newest messages each poll looks at.
WINDOW = 200


class Announcer:
    def __init__(self, log: MessageLog, effects: ReplyEffects, tz: ZoneInfo,
                 sandbox: SandboxFeed | None = None) -> None:
        self.log = log
        self.effects = effects
        self.tz = tz
        self.sandbox = sandbox
        self.seen: dict[str, str] = {}
        self.last_effect = "0"

    def skip_history(self) -> None:
        """Treat what happened before this run as known (the demo continues where it
        stopped: its old messages are not news)."""
        self.seen.update((r.message_id, r.status) for r in self.log.recent(WINDOW))
        self.last_effect = self.effects.last_id()
        if self.sandbox is not None:
            self.sandbox.skip_history()

    def lines(self) -> list[str]:
        """What happened since the last call, oldest first."""
        found = self._messages() + self._effects()
        if self.sandbox is not None:
            found += self.sandbox.new()
        found.sort(key=lambda said: (int(said.stamp), said.rank))
        return [line for said in found for line in said.lines]

    def _messages(self) -> list[Said]:
        found = []
        for record in reversed(self.log.recent(WINDOW)):
            before = self.seen.get(record.message_id)
            if record.status in _SHOWN and before != record.status:
                self.seen[record.message_id] = record.status
                found.append(self._said(record, first=before not in _SHOWN))
        return found

    def _effects(self) -> list[Said]:
        found = []
        for entry_id, effect in self.effects.after(self.last_effect):
            self.last_effect = entry_id
            found.append(Said(effect.at, 2, [
                f"{clock(effect.at, self.tz)}  BOOKING {effect.describe()}"]))
        return found

    def _said(self, record: MessageRecord, *, first: bool) -> Said:
        stamp = _status_time(record)
        reason = ""
        if record.status in {"skipped", "failed", "unknown", "undelivered"} and record.timeline:
            last = record.timeline[-1]
            reason = f" ({last.get('detail') or last.get('code') or ''})"
        elif record.timeline and record.timeline[-1].get("detail"):
            # e.g. sent, found at Twilio after Redis forgot: not a second SMS, and says so
            reason = f" ({record.timeline[-1]['detail']})"
        about = f"appointment {record.appointment_id}" if record.appointment_id else \
            "no appointment"
        lines = [f"{clock(stamp, self.tz)}  {record.channel.upper():<5} to "
                 f"{masked(record.channel, record.recipient):<20} {record.kind:<16} "
                 f"{about}: {record.status}{reason}"]
        if first and record.channel == "sms" and record.text:
            lines += text_lines(record.text)
        elif first and record.text:
            lines += email_lines(record.subject, record.text)
        return Said(stamp, 3, lines)


def _status_time(record: MessageRecord) -> float:
    """When the message reached its current status (else when it was created)."""
    for entry in reversed(record.timeline):
        at = entry.get("at")
        if entry.get("status") == record.status and isinstance(at, int | float):
            return float(at)
    return float(record.created)
