"""`OABRIDGE_WEBHOOK_SECRET`: one Standard Webhooks secret, or two while rotating.

A rotation must need no simultaneous switch of the sender and the bridge, so the
setting may hold the new and the old secret, comma-separated (`whsec_new,whsec_old`):
a notice signed with either passes (`bridge.ingress.signatures`). Each must stand for
a key of at least `MIN_WEBHOOK_KEY_BYTES`, decoded as the standardwebhooks package
decodes it. The procedure is in deploy/README.md, "Rotating secrets".
"""

from __future__ import annotations

import base64
from collections.abc import Iterable

from standardwebhooks import Webhook

__all__ = ["MAX_WEBHOOK_SECRETS", "MIN_WEBHOOK_KEY_BYTES", "WebhookKeys",
           "parse_webhook_secrets", "webhook_key"]

#: The fewest bytes a secret's key may have (the standard's own secrets have 24 to 64).
MIN_WEBHOOK_KEY_BYTES = 24
#: The current secret, and while rotating the previous one.
MAX_WEBHOOK_SECRETS = 2


def webhook_key(secret: str) -> bytes:
    """The key a `whsec_` secret stands for, as the package decodes it (padding added,
    characters outside base64 skipped): its length is the key's strength."""
    try:
        return base64.b64decode(secret.removeprefix("whsec_") + "==", validate=False)
    except ValueError:
        return b""


def parse_webhook_secrets(text: str) -> tuple[str, ...]:
    """The secrets in the setting's value, the current one first (empty: none set).
    Raises `ValueError` saying what is wrong, never with the secret in it."""
    if not text:
        return ()
    secrets = tuple(part.strip() for part in text.split(","))
    if len(secrets) > MAX_WEBHOOK_SECRETS or not all(secrets):
        raise ValueError("must be one whsec_ secret, or two separated by a comma while "
                         "rotating (the new one first)")
    for secret in secrets:
        if len(webhook_key(secret)) < MIN_WEBHOOK_KEY_BYTES:
            raise ValueError(f"must be whsec_ followed by at least {MIN_WEBHOOK_KEY_BYTES} "
                             "base64-encoded bytes")
    return secrets


class WebhookKeys:
    """The secrets a notice may be signed with, each as the package's `Webhook`."""

    def __init__(self, secrets: Iterable[str]) -> None:
        self.webhooks = tuple(Webhook(secret) for secret in secrets)
        if not self.webhooks:
            raise ValueError("no webhook secret")

    @classmethod
    def from_setting(cls, text: str) -> WebhookKeys | None:
        """From the setting's value; None when it is empty."""
        secrets = parse_webhook_secrets(text)
        return cls(secrets) if secrets else None
