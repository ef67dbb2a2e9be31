"""Standard-Webhooks signatures, with the timestamp window read from the app's clock.

The standardwebhooks package's `Webhook.verify` reads the wall clock itself (in a
private, name-mangled method, with a fixed five-minute window) and takes no "now".
So `verify` here takes the same steps as the package's, in the same order and with
the same messages, except that the window is checked against the clock it is given;
the signature itself is computed by the package's public `Webhook.sign`. A test
checks that both agree whenever the given clock is the wall clock
(tests/ingress/test_signatures.py).

While a secret is rotated, notices signed with the new or the old one must both pass
(`OABRIDGE_WEBHOOK_SECRET=whsec_new,whsec_old`): the settings' `WebhookKeys` hold every
secret, and `verify` accepts a `v1` signature made with any of them (deploy/README.md,
"Rotating secrets"). Every comparison is made, each in constant time.
"""

from __future__ import annotations

import base64
import hmac
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from bridge.settings.webhook_secrets import WebhookKeys

__all__ = ["TOLERANCE", "verify"]

#: How far a notice's `webhook-timestamp` may be from now, either way (the standard's).
TOLERANCE = timedelta(minutes=5)


def verify(webhook: Webhook | WebhookKeys, body: bytes, headers: Mapping[str, str],
           now: datetime) -> None:
    """Return if a `v1` signature in `headers` (lower-case names) signs `body`, with
    any of the secrets, at a timestamp within `TOLERANCE` of `now`.

    Raises `WebhookVerificationError` (missing headers, a stale or future timestamp, no
    matching signature), `UnicodeDecodeError` (the package signs text: a body that is
    not UTF-8 cannot carry a signature) or `ValueError` (malformed signature headers).
    """
    data = body.decode()
    msg_id = headers.get("webhook-id")
    signatures = headers.get("webhook-signature")
    stamp = headers.get("webhook-timestamp")
    if not (msg_id and stamp and signatures):
        raise WebhookVerificationError("Missing required headers")
    timestamp = _timestamp(stamp, now)
    webhooks = webhook.webhooks if isinstance(webhook, WebhookKeys) else (webhook,)
    expected = [base64.b64decode(one.sign(msg_id, timestamp, data).split(",")[1])
                for one in webhooks]
    for versioned in signatures.split(" "):
        version, signature = versioned.split(",")
        if version == "v1":
            given = base64.b64decode(signature)
            # Every secret is compared, so the time taken does not say which one matched.
            if sum(hmac.compare_digest(key, given) for key in expected):
                return
    raise WebhookVerificationError("No matching signature found")


def _timestamp(header: str, now: datetime) -> datetime:
    try:
        timestamp = datetime.fromtimestamp(float(header), tz=UTC)
    except (ValueError, OverflowError, OSError):  # not a number, NaN, out of range
        raise WebhookVerificationError("Invalid Signature Headers") from None
    if timestamp < now - TOLERANCE:
        raise WebhookVerificationError("Message timestamp too old")
    if timestamp > now + TOLERANCE:
        raise WebhookVerificationError("Message timestamp too new")
    return timestamp
