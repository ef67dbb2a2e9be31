"""The practices of a many-practice sandbox: practice 1 is the demo, 2..N are generated.

A generated practice's credentials follow from the seed and its number alone, so a test
or a demo can know them without asking the sandbox, and a restart gives the same ones.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from sandbox.booking.demo_data import DEMO_API_KEY, DEMO_API_SECRET, demo_data
from sandbox.booking.practice_data import MAX_PRACTICES, practice_data, practice_name

__all__ = ["MAX_PRACTICES", "Practice", "generated_credentials", "practice", "practices"]

DEMO_PRACTICE_NAME = "Fysiotherapie De Linde"


@dataclass(frozen=True)
class Practice:
    """One account of the sandbox: its number (1-based), name, credentials and seed data."""

    number: int
    name: str
    api_key: str
    api_secret: str
    data: dict[str, Any]


def generated_credentials(number: int, seed: int = 0) -> tuple[str, str]:
    """(api_key, api_secret) of generated practice `number`: shaped like the demo's (12
    lower-case characters, a dash, 6 more; 40 hex digits), derived by SHA-256/SHA-1
    from `oabridge-sandbox:<seed>:<number>`."""
    text = f"oabridge-sandbox:{seed}:{number}"
    digest = hashlib.sha256(text.encode()).hexdigest()
    slug = "".join(ch for ch in practice_name(number).lower() if ch.isascii() and ch.isalnum())
    api_key = f"{(slug.removeprefix('fysiotherapie') + digest)[:12]}-{digest[-6:]}"
    api_secret = hashlib.sha1(f"{text}:secret".encode()).hexdigest()
    return api_key, api_secret


def practice(number: int, seed: int = 0) -> Practice:
    """Practice `number`: 1 = the demo practice with the demo credentials."""
    if number == 1:
        return Practice(1, DEMO_PRACTICE_NAME, DEMO_API_KEY, DEMO_API_SECRET, demo_data())
    api_key, api_secret = generated_credentials(number, seed)
    data = practice_data(number, seed)
    return Practice(number, practice_name(number), api_key, api_secret, data)


def practices(count: int, seed: int = 0) -> list[Practice]:
    """Practices 1 to `count` (1 to MAX_PRACTICES)."""
    if not 1 <= count <= MAX_PRACTICES:
        raise ValueError(f"the number of practices must be 1 to {MAX_PRACTICES}, not {count}")
    return [practice(number, seed) for number in range(1, count + 1)]
