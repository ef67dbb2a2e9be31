"""What Twilio does after it answered 201: move the message on and report each step.

Statuses follow Twilio's documented lifecycle for outbound SMS, one step every
`step_delay` seconds, on the background loop:

* without a Messaging Service: created `queued` -> `sent` -> `delivered`
  (or `sent` -> `undelivered`, or straight to `failed`, per the failure rules);
* with a Messaging Service: created `accepted` (no `from`, `num_segments` 0) -> `queued`
  (sender assigned) -> `sent` -> ... as above.

As at Twilio, the *initial* status is never reported by callback; every later one is,
in order: a step's callback (with its retries) finishes before the next step starts.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sandbox.clock import Clock
from sandbox.twilio.demo import API_VERSION
from sandbox.twilio.numbers import Outcome
from sandbox.twilio.segments import count_segments
from sandbox.twilio.settings import TwilioSettings
from sandbox.twilio.store import MessageRecord, MessageStore
from sandbox.twilio.webhooks import WebhookResult, WebhookSender

PRICE_PER_SEGMENT = 0.0760  # USD, roughly Twilio's price for an SMS to a Dutch mobile

Log = Callable[[str, MessageRecord, list[tuple[str, str]], WebhookResult], None]


def steps_for(record: MessageRecord, outcome: Outcome) -> list[str]:
    """The statuses still to come for a just-created message."""
    tail = ["failed"] if outcome.status == "failed" else ["sent", outcome.status]
    return (["queued"] if record.status == "accepted" else []) + tail


def _dlr_date(moment: datetime) -> str:
    return moment.strftime("%y%m%d%H%M")


def status_callback_params(record: MessageRecord) -> list[tuple[str, str]]:
    """The form Twilio POSTs to a StatusCallback URL."""
    params = [
        ("ApiVersion", API_VERSION),
        ("AccountSid", record.account_sid),
        ("MessageSid", record.sid),
        ("SmsSid", record.sid),
        ("MessageStatus", record.status),
        ("SmsStatus", record.status),
        ("From", record.from_ or ""),
        ("To", record.to),
    ]
    if record.messaging_service_sid:
        params.append(("MessagingServiceSid", record.messaging_service_sid))
    if record.error_code is not None:
        params.append(("ErrorCode", str(record.error_code)))
    if record.status in ("delivered", "undelivered"):
        params.append(("RawDlrDoneDate", _dlr_date(record.date_updated)))
    return params


class Courier:
    """Runs the status progression of messages and sends their status callbacks."""

    def __init__(
        self,
        store: MessageStore,
        clock: Clock,
        settings: TwilioSettings,
        sender: WebhookSender,
        auth_token: str,
        default_from: str,
        log: Log,
    ) -> None:
        self._store = store
        self._clock = clock
        self._settings = settings
        self._sender = sender
        self._auth_token = auth_token
        self._default_from = default_from
        self._log = log

    def _changes(self, record: MessageRecord, status: str, outcome: Outcome) -> dict[str, Any]:
        now = self._clock.now()
        changes: dict[str, Any] = {"status": status, "date_updated": now}
        if status == "queued":
            changes["from_"] = record.from_ or self._default_from
            changes["num_segments"] = count_segments(record.body).segments
        elif status == "sent":
            changes["date_sent"] = now
            changes["price"] = f"{-PRICE_PER_SEGMENT * record.num_segments:.5f}"
        elif status in ("undelivered", "failed"):
            changes["error_code"] = outcome.error_code
            changes["error_message"] = outcome.error_message
        return changes

    async def run(self, sid: str, outcome: Outcome) -> None:
        """Take message `sid` through its remaining statuses."""
        record = self._store.get(sid)
        if record is None:
            return
        for status in steps_for(record, outcome):
            await asyncio.sleep(self._settings.step_delay)
            updated = self._store.update(sid, **self._changes(record, status, outcome))
            if updated is None:
                return  # the sandbox was reset meanwhile
            record = updated
            if record.status_callback:
                params = status_callback_params(record)
                result = await self._sender.post(record.status_callback, params, self._auth_token)
                self._log("status", record, params, result)
