"""The sandbox's messages, in memory, behind one lock, and their Twilio JSON form.

The API handlers (on uvicorn's event loop) and the delivery worker (on its own thread)
both change messages, so every read and write goes through `MessageStore` under a
`threading.Lock`; callers get copies, never the live records. Messages are kept in
creation order; listing is newest first, as Twilio lists them.
"""

from __future__ import annotations

import dataclasses
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

from sandbox.twilio.demo import API_VERSION

#: Statuses a message never leaves: only such a message can be deleted (Twilio answers
#: 20009 for any other, e.g. `sent` while the carrier's delivery receipt is awaited).
FINAL_STATUSES = frozenset({"delivered", "undelivered", "failed", "received", "read",
                            "canceled"})


def new_sid(prefix: str) -> str:
    """A Twilio-style SID: two letters and 32 lower-case hex digits."""
    return prefix + secrets.token_hex(16)


def rfc2822(moment: datetime | None) -> str | None:
    """Twilio's date format: `Thu, 24 Aug 2023 05:01:45 +0000`."""
    if moment is None:
        return None
    return format_datetime(moment.astimezone(UTC).replace(microsecond=0))


@dataclass
class MessageRecord:
    """One message, outbound or inbound, with Twilio's fields and the sandbox's bookkeeping
    (`to_json()` gives only Twilio's)."""

    sid: str
    account_sid: str
    to: str
    from_: str | None
    body: str
    direction: str
    status: str
    num_segments: int
    date_created: datetime
    date_updated: datetime
    messaging_service_sid: str | None = None
    num_media: int = 0
    date_sent: datetime | None = None
    price: str | None = None
    error_code: int | None = None
    error_message: str | None = None
    status_callback: str | None = None
    seq: int = 0
    auto_reply: str | None = None
    """Twilio's own answer to a keyword (not the API's, nor TwiML's): the `OptOutType`
    it answers, STOP, START or HELP. Not part of the REST resource."""
    answered_by: str | None = None
    """On an inbound keyword: the SID of Twilio's own answer to it."""

    def uri(self) -> str:
        return f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{self.sid}.json"

    def to_json(self) -> dict[str, Any]:
        """The Message resource as Twilio's API returns it (counts as strings, as Twilio does)."""
        return {
            "account_sid": self.account_sid,
            "api_version": API_VERSION,
            "body": self.body,
            "date_created": rfc2822(self.date_created),
            "date_sent": rfc2822(self.date_sent),
            "date_updated": rfc2822(self.date_updated),
            "direction": self.direction,
            "error_code": self.error_code,
            "error_message": self.error_message,
            "from": self.from_,
            "messaging_service_sid": self.messaging_service_sid,
            "num_media": str(self.num_media),
            "num_segments": str(self.num_segments),
            "price": self.price,
            "price_unit": "USD",
            "sid": self.sid,
            "status": self.status,
            "subresource_uris": {"media": self.uri().removesuffix(".json") + "/Media.json"},
            "to": self.to,
            "uri": self.uri(),
        }


class MessageStore:
    """Thread-safe keeping of `MessageRecord`s; hands out copies."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: dict[str, MessageRecord] = {}
        self._seq = 0

    def add(self, record: MessageRecord) -> MessageRecord:
        with self._lock:
            self._seq += 1
            record.seq = self._seq
            self._records[record.sid] = record
            return dataclasses.replace(record)

    def get(self, sid: str) -> MessageRecord | None:
        with self._lock:
            record = self._records.get(sid)
            return None if record is None else dataclasses.replace(record)

    def update(self, sid: str, **changes: Any) -> MessageRecord | None:
        """Change fields of one message; a copy of the result (None if it is gone)."""
        with self._lock:
            if sid not in self._records:
                return None
            record = dataclasses.replace(self._records[sid], **changes)
            self._records[sid] = record
            return dataclasses.replace(record)

    def remove(self, sid: str) -> bool:
        """Forget one message; False if it was not there."""
        with self._lock:
            return self._records.pop(sid, None) is not None

    def clear(self) -> None:
        with self._lock:
            self._records.clear()

    def newest_first(self, account_sid: str | None = None) -> list[MessageRecord]:
        with self._lock:
            records = [
                dataclasses.replace(r)
                for r in self._records.values()
                if account_sid is None or r.account_sid == account_sid
            ]
        records.sort(key=lambda r: (r.date_created, r.seq), reverse=True)
        return records
