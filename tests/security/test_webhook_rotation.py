"""Section 7 (#15): the webhook secret is rotated without a simultaneous switch.

`OABRIDGE_WEBHOOK_SECRET=whsec_new,whsec_old`: a notice signed with either secret is
accepted, over real HTTP by a real ingress against the test Redis; any other secret is
refused, and once the old one is dropped, so is it (deploy/README.md, "Rotating
secrets").
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest
from redis import Redis
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from bridge.http.app import create_app
from bridge.ingress.signatures import verify
from bridge.settings import SettingsError, load_settings
from tests.support.asgi_server import serve

NEW = "whsec_" + base64.b64encode(b"the-new-secret-of-thirty-two-byt").decode()
OLD = "whsec_" + base64.b64encode(b"the-old-secret-of-thirty-two-byt").decode()
OTHER = "whsec_" + base64.b64encode(b"nobody-s-secret-of-thirty-two-by").decode()
NOTICE = json.dumps({"type": "appointment.changed",
                     "data": {"agenda_id": 1, "appointment_id": 501}})


def headers(*secrets: str) -> dict[str, str]:
    """A notice's headers, signed now with each of `secrets` (space-separated `v1,…`)."""
    ident, now = f"msg_{uuid.uuid4().hex}", datetime.now(UTC)
    return {"webhook-id": ident, "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": " ".join(Webhook(s).sign(ident, now, NOTICE) for s in secrets),
            "content-type": "application/json"}


@pytest.fixture
def ingress(redis: Redis, redis_url: str) -> Iterator[httpx.Client]:
    """An ingress whose `OABRIDGE_WEBHOOK_SECRET` holds the new and the old secret."""
    settings = load_settings({"OABRIDGE_REDIS_URL": redis_url,
                              "OABRIDGE_WEBHOOK_SECRET": f"{NEW},{OLD}"})
    with serve(create_app(settings)) as url, httpx.Client(base_url=url) as http:
        yield http


def post(http: httpx.Client, *secrets: str) -> int:
    return http.post("/webhooks/booking", content=NOTICE, headers=headers(*secrets)).status_code


@pytest.mark.parametrize("secrets", [(NEW,), (OLD,), (OLD, NEW), (OTHER, OLD)],
                         ids=["new", "old", "both", "another and the old"])
def test_during_a_rotation_either_secret_is_accepted(
    ingress: httpx.Client, secrets: tuple[str, ...]
) -> None:
    assert post(ingress, *secrets) == 202


def test_during_a_rotation_any_other_secret_is_refused(ingress: httpx.Client) -> None:
    answer = ingress.post("/webhooks/booking", content=NOTICE, headers=headers(OTHER))
    assert answer.status_code == 401 and "No matching signature" in answer.json()["error"]


def test_after_the_rotation_the_old_secret_is_refused() -> None:
    settings = load_settings({"OABRIDGE_WEBHOOK_SECRET": NEW})
    keys = settings.webhook_keys
    assert keys is not None
    now = datetime.now(UTC)
    verify(keys, NOTICE.encode(), headers(NEW), now)
    with pytest.raises(WebhookVerificationError, match="No matching signature"):
        verify(keys, NOTICE.encode(), headers(OLD), now)


def test_the_settings_read_the_secrets_new_first() -> None:
    settings = load_settings({"OABRIDGE_WEBHOOK_SECRET": f" {NEW} , {OLD} "})
    assert settings.webhook_secrets == (NEW, OLD)
    assert load_settings({}).webhook_secrets == () and load_settings({}).webhook_keys is None


@pytest.mark.parametrize("value", [f"{NEW},{OLD},{OTHER}", f"{NEW},", f",{NEW}"])
def test_more_than_two_secrets_or_an_empty_one_is_refused(value: str) -> None:
    with pytest.raises(SettingsError, match="OABRIDGE_WEBHOOK_SECRET: must be one whsec_ "
                                            "secret, or two separated by a comma"):
        load_settings({"OABRIDGE_WEBHOOK_SECRET": value})
