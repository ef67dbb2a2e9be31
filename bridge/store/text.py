"""Redis answers as text: redis-py returns bytes, and its type hints allow far more."""

from __future__ import annotations

__all__ = ["as_text"]


def as_text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
