"""The knobs tests, demos and benchmarks turn: delays, the inbound webhook, failure rules.

They live in one small object shared by the API handlers and the delivery worker, and
can be changed at any time, from Python (`sandbox.settings.step_delay = 0.01`) or over
HTTP (`PUT /_sandbox/twilio/config`); a change applies to the next request or step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from sandbox.twilio.numbers import DEFAULT_DELIVERY_FAILURES, validate_failures


def check_url(value: object, name: str) -> str:
    """An absolute http(s) URL, or ValueError."""
    if not isinstance(value, str):
        raise ValueError(f'"{name}" must be a URL string')
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f'"{name}" must be an absolute http(s) URL')
    return value


def _milliseconds(body: dict[str, Any], key: str) -> float:
    value = body[key]
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 60000:
        raise ValueError(f'"{key}" must be a number of milliseconds from 0 to 60000')
    return float(value) / 1000


@dataclass
class TwilioSettings:
    """Seconds for the delays; `delivery_failures` maps a `To` suffix to a 30xxx code."""

    response_delay: float = 0.0
    step_delay: float = 0.05
    inbound_url: str | None = None
    delivery_failures: dict[str, int] = field(
        default_factory=lambda: dict(DEFAULT_DELIVERY_FAILURES)
    )

    def to_json(self) -> dict[str, Any]:
        return {
            "response_delay_ms": round(self.response_delay * 1000, 3),
            "step_delay_ms": round(self.step_delay * 1000, 3),
            "inbound_url": self.inbound_url,
            "delivery_failures": dict(self.delivery_failures),
        }

    def update_from_json(self, body: dict[str, Any]) -> None:
        """Apply the keys present in `body`; all are checked before any is applied."""
        known = {"response_delay_ms", "step_delay_ms", "inbound_url", "delivery_failures"}
        unknown = sorted(set(body) - known)
        if unknown:
            raise ValueError(f"unknown setting(s): {', '.join(unknown)}")
        changes: dict[str, Any] = {}
        if "response_delay_ms" in body:
            changes["response_delay"] = _milliseconds(body, "response_delay_ms")
        if "step_delay_ms" in body:
            changes["step_delay"] = _milliseconds(body, "step_delay_ms")
        if "inbound_url" in body:
            url = body["inbound_url"]
            changes["inbound_url"] = None if url is None else check_url(url, "inbound_url")
        if "delivery_failures" in body:
            changes["delivery_failures"] = validate_failures(body["delivery_failures"])
        for name, value in changes.items():
            setattr(self, name, value)
