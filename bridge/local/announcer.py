"""Printing the demo's messages as they go out: kind, channel, masked recipient, fate."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bridge.observability.masking import mask_email, mask_phone
from bridge.store.message_log import MessageLog, MessageRecord

__all__ = ["Announcer"]

_SHOWN = {"sent", "delivered", "undelivered", "failed", "skipped", "unknown"}


class Announcer:
    def __init__(self, log: MessageLog, tz: ZoneInfo) -> None:
        self.log = log
        self.tz = tz
        self.seen: dict[str, str] = {}

    def lines(self) -> list[str]:
        """One line per message whose status changed since the last call, oldest first."""
        found = []
        for record in reversed(self.log.recent(200)):
            if record.status in _SHOWN and self.seen.get(record.message_id) != record.status:
                self.seen[record.message_id] = record.status
                found.append(self._line(record))
        return found

    def _line(self, record: MessageRecord) -> str:
        when = datetime.fromtimestamp(record.created, UTC).astimezone(self.tz)
        recipient = (mask_phone(record.recipient) if record.channel == "sms"
                     else mask_email(record.recipient)) if record.recipient else "-"
        reason = ""
        if record.status in {"skipped", "failed", "unknown"} and record.timeline:
            last = record.timeline[-1]
            reason = f" ({last.get('detail') or last.get('code') or ''})"
        return (f"{when:%H:%M:%S}  {record.channel.upper():<5} {recipient:<22} "
                f"{record.kind:<16} appointment {record.appointment_id}: {record.status}{reason}")
