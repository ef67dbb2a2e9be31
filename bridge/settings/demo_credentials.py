"""The sandbox's public demo credentials, refused outside sandbox mode.

They are published (sandbox/, deploy/overlays/dev/secret.env), so a process that runs
with one of them is open to anyone who read the repository. The product must not import
the sandbox (tests/suite/test_architecture.py), so the values are listed here, as
SHA-256 hashes, and tests/security/test_demo_credentials.py checks that this list is
exactly what the sandbox and the dev overlay use, so the two cannot drift apart.
"""

from __future__ import annotations

import hashlib

__all__ = ["DEMO_CREDENTIAL_HASHES", "credential_hash", "is_demo_credential"]

#: SHA-256 of each demo value (hex), and where it comes from.
DEMO_CREDENTIAL_HASHES: dict[str, str] = {
    "ae7eaf862b6a9dce52aeca935bfbd77f157262d0d9036b208c1474df089b881b":
        "sandbox.booking.DEMO_API_KEY",
    "ea62c3a78fcd54869a8cc510595437b1f2406a65adec975d4179ec59638b7210":
        "sandbox.booking.DEMO_API_SECRET",
    "fca62a644ebb7cece4b3c022d4fe29a45be0bf2acb9bb161d4a8a79ff54fa4b5":
        "sandbox.twilio.DEMO_ACCOUNT_SID",
    "2cabd1a079831cc716c960dfb0c027ba5d6650c1a0d2bbe48dc1d3591856ba1b":
        "sandbox.twilio.DEMO_AUTH_TOKEN",
    "d57d77e5593009ac37e385ee130aa0373a582508014580fd784cd8feb11ca35c":
        "deploy/overlays/dev/secret.env OABRIDGE_WEBHOOK_SECRET",
    "e9d190e6eba37e655258a4a49d6ad7f0b37ab09912f6182756fed0cf4efa809a":
        "deploy/overlays/dev/secret.env OABRIDGE_TRIGGER_TOKEN",
}


def credential_hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def is_demo_credential(value: str) -> bool:
    """Whether `value` (any secret setting's) is one of the published demo values."""
    return credential_hash(value.strip()) in DEMO_CREDENTIAL_HASHES
