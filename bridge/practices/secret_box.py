"""Secrets at rest: a practice's API secret (and Twilio token, if it has its own) is
stored in Redis only as a Fernet token under `OABRIDGE_SECRETS_KEY`.

The setting holds one key, or several while rotating (newest first, comma-separated):
the first encrypts, every one decrypts, and `rotate` re-encrypts a token under the first
(`oabridge practices rotate-key`), after which the old key can be dropped.
"""

from __future__ import annotations

from collections.abc import Callable

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from bridge.practices.errors import SecretsKeyError

__all__ = ["SecretBox", "parse_keys"]


def parse_keys(setting: str) -> list[Fernet]:
    """The keys of `OABRIDGE_SECRETS_KEY`, newest first; `SecretsKeyError` names a bad one."""
    keys = []
    for position, part in enumerate((p.strip() for p in setting.split(",")), start=1):
        if not part:
            continue
        try:
            keys.append(Fernet(part))
        except ValueError:
            raise SecretsKeyError(
                f"OABRIDGE_SECRETS_KEY: key {position} is not a Fernet key (32 url-safe "
                "base64-encoded bytes; make one with `oabridge practices new-key`)") from None
    return keys


class SecretBox:
    """Encrypts and decrypts the practices' secrets; without a key it refuses both."""

    def __init__(self, setting: str) -> None:
        keys = parse_keys(setting)
        self._fernet = MultiFernet(keys) if keys else None

    @staticmethod
    def new_key() -> str:
        return Fernet.generate_key().decode()

    def seal(self, secret: str) -> str:
        return self._box().encrypt(secret.encode()).decode()

    def open(self, token: str) -> str:
        return _opened(lambda: self._box().decrypt(token.encode()))

    def rotate(self, token: str) -> str:
        """The same secret, encrypted under the newest key."""
        return _opened(lambda: self._box().rotate(token.encode()))

    def _box(self) -> MultiFernet:
        if self._fernet is None:
            raise SecretsKeyError("storing a practice's secrets needs OABRIDGE_SECRETS_KEY "
                                  "(make one with `oabridge practices new-key`)")
        return self._fernet


def _opened(work: Callable[[], bytes]) -> str:
    """A token no listed key opens is a key replaced instead of rotated."""
    try:
        return work().decode()
    except InvalidToken:
        raise SecretsKeyError("a stored secret does not open with OABRIDGE_SECRETS_KEY "
                              "(was the key replaced instead of rotated?)") from None
