"""An ingress served over real HTTP against the test Redis."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from redis import Redis
from standardwebhooks import Webhook

from bridge.clock import SystemClock
from bridge.http.app import create_app
from bridge.queueing.enqueue import JobWriter
from bridge.queueing.relay import Relay
from bridge.settings import Settings, load_settings
from tests.support.asgi_server import serve

WEBHOOK_SECRET = "whsec_" + base64.b64encode(b"test-secret-of-32-bytes-length!!").decode()
TRIGGER_TOKEN = "trigger-token-for-tests"
TWILIO_TOKEN = "twilio-token-for-tests"
#: What Twilio calls: the bridge behind a proxy, not the address the test server has.
PUBLIC_URL = "https://bridge.example.nl"


def ingress_settings(redis_url: str, **extra: str) -> Settings:
    return load_settings({
        "OABRIDGE_REDIS_URL": redis_url,
        "OABRIDGE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "OABRIDGE_TRIGGER_TOKEN": TRIGGER_TOKEN,
        "OABRIDGE_TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "OABRIDGE_PUBLIC_URL": PUBLIC_URL,
        **extra,
    })


@dataclass
class Ingress:
    url: str
    http: httpx.Client

    def signed(
        self,
        payload: object,
        *,
        webhook_id: str | None = None,
        at: datetime | None = None,
        secret: str = WEBHOOK_SECRET,
    ) -> httpx.Response:
        body = payload if isinstance(payload, str) else json.dumps(payload)
        ident = webhook_id or f"msg_{uuid.uuid4().hex}"
        moment = at or datetime.now(UTC)
        signature = Webhook(secret).sign(ident, moment, body)
        headers = {
            "webhook-id": ident,
            "webhook-timestamp": str(int(moment.timestamp())),
            "webhook-signature": signature,
            "content-type": "application/json",
        }
        return self.http.post(f"{self.url}/webhooks/booking", content=body, headers=headers)


@pytest.fixture
def ingress(redis: Redis, redis_url: str) -> Iterator[Ingress]:
    with serve(create_app(ingress_settings(redis_url))) as url, httpx.Client() as http:
        yield Ingress(url, http)


def standard_webhooks_headers(body: bytes) -> dict[str, str]:
    """The Standard Webhooks scheme written out (not the library's `sign`): HMAC-SHA256
    over `id.timestamp.body`, base64, `v1,`, stamped now."""
    ident = f"msg_{uuid.uuid4().hex}"
    stamp = str(int(time.time()))
    key = base64.b64decode(WEBHOOK_SECRET.removeprefix("whsec_"))
    digest = hmac.new(key, f"{ident}.{stamp}.".encode() + body, hashlib.sha256).digest()
    return {
        "webhook-id": ident,
        "webhook-timestamp": stamp,
        "webhook-signature": "v1," + base64.b64encode(digest).decode(),
    }


def relay_all(redis: Redis) -> int:
    """What a worker's relay does: turn accepted notices into RQ jobs."""
    return Relay(redis, JobWriter(redis), SystemClock()).pump()


def changed(appointment_id: int = 501, agenda_id: int = 1) -> dict[str, object]:
    return {
        "type": "appointment.changed",
        "data": {"agenda_id": agenda_id, "appointment_id": appointment_id},
    }


STALE = timedelta(minutes=6)
