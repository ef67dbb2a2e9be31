"""What can go wrong with a practice's record: one small hierarchy for the registry and
the commands and routes in front of it."""

from __future__ import annotations

__all__ = ["PracticeError", "PracticeNotFoundError", "SecretsKeyError"]


class PracticeError(ValueError):
    """A practice's record or a change to it is refused; the message names what."""


class PracticeNotFoundError(PracticeError):
    """No practice has this slug."""


class SecretsKeyError(PracticeError):
    """`OABRIDGE_SECRETS_KEY` is missing, or does not open a stored secret."""
