"""The practice's booking-system webhooks: a share of its changes is also announced as a
signed notice to the ingress, some sent twice, some out of order, some stale (signed
ten minutes ago, so the ingress must refuse them). Each is counted in the journal.
A notice the ingress could not take (refused connection: it is down) is not sent again:
the next poll finds the change. One answered 503 (its Redis away) is sent again."""

from __future__ import annotations

import json
import random
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpx
from standardwebhooks import Webhook

from bench.soaklib import world
from bench.soaklib.journal import Appointment, Journal

if TYPE_CHECKING:
    from bench.soaklib.driver import Endpoints

RETRIES_ON_503 = 60
RETRY_PAUSE = 1.0
"""A 503 (Redis away: restarted, failing over) is sent again every second, for a minute."""

Submit = Callable[..., None]
"""Runs `work(*args)` in the background: `submit(work, *args)`."""


class WebhookNotices:
    """Announces the practice's changes to the ingress, spoiling some on purpose."""

    def __init__(self, journal: Journal, rng: random.Random, http: httpx.Client,
                 endpoints: Endpoints, lock: threading.Lock, submit: Submit) -> None:
        self.journal = journal
        self.rng = rng
        self.http = http
        self.ingress = endpoints.ingress
        self.webhook = Webhook(endpoints.webhook_secret)
        self.lock = lock
        self.submit = submit
        self.held: dict[int, tuple[str, dict[str, Any]]] = {}
        """Per appointment, a notice held back to be sent after the next one about it."""

    def announce(self, appointment: Appointment, *, deleted: bool) -> None:
        """A share of changes also goes out as a signed webhook, some of them spoiled."""
        if self.rng.random() >= 0.5:
            return
        body = {"type": "appointment.deleted" if deleted else "appointment.changed",
                "data": {"agenda_id": world.AGENDA_ID, "appointment_id": appointment.id}}
        msg_id = f"msg_{uuid.UUID(int=self.rng.getrandbits(128)).hex}"
        roll = self.rng.random()
        if roll < 0.05:
            self.submit(self._post, msg_id, body, "stale")
            return
        if roll < 0.15 and appointment.id not in self.held:
            # Sent after the next notice about the same appointment: out of order.
            self.held[appointment.id] = (msg_id, body)
            return
        self.submit(self._post, msg_id, body, "sent")
        if roll < 0.25:
            self.submit(self._post, msg_id, body, "duplicate")
        held = self.held.pop(appointment.id, None)
        if held is not None:
            self.submit(self._post, *held, "out_of_order")

    def release_held(self) -> None:
        """Send the notices still held back: never followed by another, so late."""
        for held in self.held.values():
            self.submit(self._post, *held, "out_of_order")
        self.held.clear()

    def _post(self, msg_id: str, body: dict[str, Any], how: str) -> None:
        payload = json.dumps(body)
        stamp = datetime.now(UTC) - (timedelta(minutes=10) if how == "stale" else timedelta())
        headers = {"webhook-id": msg_id, "webhook-timestamp": str(int(stamp.timestamp())),
                   "webhook-signature": self.webhook.sign(msg_id, stamp, payload),
                   "content-type": "application/json"}
        with self.lock:
            self.journal.webhooks[how] += 1
        for attempt in range(RETRIES_ON_503 + 1):
            try:
                answer = self.http.post(f"{self.ingress}/webhooks/booking",
                                        content=payload, headers=headers)
            except httpx.HTTPError:
                with self.lock:
                    self.journal.webhooks["refused (ingress down)"] += 1
                return
            if answer.status_code != 503 or attempt == RETRIES_ON_503:
                break
            # Redis away: nothing was accepted, and the sender tries again (as Standard
            # Webhooks senders do), with the same id and signature.
            with self.lock:
                self.journal.webhooks["answered 503, sent again"] += 1
            time.sleep(RETRY_PAUSE)
        expected = 401 if how == "stale" else 202
        if answer.status_code != expected:
            with self.lock:
                self.journal.webhooks[f"unexpected {answer.status_code} ({how})"] += 1
