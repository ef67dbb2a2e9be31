"""What Twilio does after it answered 201: move the message on and report each step.

Statuses follow Twilio's documented lifecycle for outbound SMS, one step every
`step_delay` seconds, on the background loop:

* without a Messaging Service: created `queued` -> `sent` -> `delivered`
  (or `sent` -> `undelivered`, or straight to `failed`, per the failure rules);
* with a Messaging Service: created `accepted` (no `from`, `num_segments` 0) -> `queued`
  (sender assigned) -> `sent` -> ... as above.

As at Twilio, the *initial* status is never reported by callback; every later one is,
in order: a step's callback (with its retries) finishes before the next step starts.
Unless a planned fault (`fault_rates.py`) says otherwise: a late callback goes out on a
task of its own after a while (the message's progression waits for it only at the end,
so `wait_idle()` covers it), a doubled one is posted twice with one idempotency token,
and a held-back one goes out right after the next status's callback.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sandbox.clock import Clock
from sandbox.twilio.demo import API_VERSION
from sandbox.twilio.fault_rates import ON_TIME, CallbackFault, TwilioFaultRates
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


@dataclass(frozen=True)
class _Callback:
    """One status callback, made when its status was reached (sent maybe later)."""

    record: MessageRecord
    params: list[tuple[str, str]]
    twice: bool


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
        faults: TwilioFaultRates | None = None,
    ) -> None:
        self._store = store
        self._clock = clock
        self._settings = settings
        self._sender = sender
        self._auth_token = auth_token
        self._default_from = default_from
        self._log = log
        self._faults = faults or TwilioFaultRates()

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

    async def run(self, sid: str, outcome: Outcome, plan: Sequence[CallbackFault] = ()) -> None:
        """Take message `sid` through its remaining statuses; `plan` has the callback
        faults by step. Returns when every callback, late ones too, has gone out."""
        late: list[asyncio.Task[None]] = []
        await self._progress(sid, outcome, plan, late)
        await asyncio.gather(*late)

    async def _progress(
        self,
        sid: str,
        outcome: Outcome,
        plan: Sequence[CallbackFault],
        late: list[asyncio.Task[None]],
    ) -> None:
        record = self._store.get(sid)
        if record is None:
            return
        held: _Callback | None = None
        for index, status in enumerate(steps_for(record, outcome)):
            await asyncio.sleep(self._settings.step_delay)
            updated = self._store.update(sid, **self._changes(record, status, outcome))
            if updated is None:
                return  # the sandbox was reset meanwhile
            record = updated
            if not record.status_callback:
                continue
            fault = plan[index] if index < len(plan) else ON_TIME
            callback = _Callback(record, status_callback_params(record), fault.twice)
            if fault.reorder:
                self._faults.count("callback_reorder")
                held = callback
                continue
            if fault.late:
                self._faults.count("callback_late")
                late.append(asyncio.create_task(
                    self._deliver_late(callback, self._faults.callback_late_seconds)))
            else:
                await self._deliver(callback)
            if held is not None:
                await self._deliver(held)
                held = None
        if held is not None:  # not planned (the last step is never held), but never lost
            await self._deliver(held)

    async def _deliver_late(self, callback: _Callback, seconds: float) -> None:
        await asyncio.sleep(seconds)
        await self._deliver(callback)

    async def _deliver(self, callback: _Callback) -> None:
        """POST one callback (with its retries), twice if so planned, one token for all."""
        url = callback.record.status_callback
        assert url is not None
        token = str(uuid.uuid4())
        for attempt in range(2 if callback.twice else 1):
            if attempt:
                self._faults.count("callback_twice")
            result = await self._sender.post(
                url, callback.params, self._auth_token, idempotency_token=token)
            self._log("status", callback.record, callback.params, result)
