"""The practices one deployment serves (#17): each with its own account, sender, texts
and hours, every setting falling back to the deployment's `OABRIDGE_*` one.

`Practice` is one practice as the registry holds it; `PracticeRegistry` keeps them in
Redis with their secrets encrypted (`SecretBox`); `settings_for` gives a practice's
effective `Settings`, the one typed object its jobs are handed.
"""

from __future__ import annotations

from bridge.practices.errors import PracticeError, PracticeNotFoundError, SecretsKeyError
from bridge.practices.practice import DEFAULT_SLUG, OVERRIDABLE, Mode, Practice, settings_for
from bridge.practices.registry import PracticeRegistry
from bridge.practices.secret_box import SecretBox

__all__ = [
    "DEFAULT_SLUG",
    "OVERRIDABLE",
    "Mode",
    "Practice",
    "PracticeError",
    "PracticeNotFoundError",
    "PracticeRegistry",
    "SecretBox",
    "SecretsKeyError",
    "settings_for",
]
