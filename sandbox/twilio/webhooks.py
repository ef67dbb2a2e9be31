"""Sending Twilio's webhooks (status callbacks, incoming messages): signed, with its retries.

Twilio's retry behaviour is set per URL by "connection overrides" in the URL fragment
(https://www.twilio.com/docs/usage/webhooks/webhooks-connection-overrides), and the
sandbox follows the documented defaults:

* `rc` retry count, 0-5, default **1**;
* `rp` retry policy, default **`ct`**: retry only when the connection could not be made.
  Other classes: `rt` (read timeout or broken answer), `4xx`, `5xx`, `all`. So by default
  an HTTP 500 from your endpoint is *not* retried, and the event is dropped;
* `ct` connect timeout (default 5000 ms), `rt` read timeout (15000 ms), `tt` total time
  for all attempts (15000 ms), all in milliseconds.

The fragment is stripped before the request and is not part of the signed URL (a
receiver never sees it). Every attempt of one event carries the same
`I-Twilio-Idempotency-Token`, so a receiver can drop duplicates.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode

import httpx

from sandbox.twilio.signature import SIGNATURE_HEADER, compute_signature

RETRY_CLASSES = frozenset({"ct", "rt", "4xx", "5xx", "all"})
USER_AGENT = "TwilioProxy/1.1"


@dataclass(frozen=True)
class Overrides:
    """Connection settings for one webhook URL (seconds, not Twilio's milliseconds)."""

    retry_count: int = 1
    retry_policy: frozenset[str] = frozenset({"ct"})
    connect_timeout: float = 5.0
    read_timeout: float = 15.0
    total_time: float = 15.0


def _millis(raw: str, low: int, high: int, default: float) -> float:
    return min(max(int(raw), low), high) / 1000 if raw.isdigit() else default


def parse_overrides(url: str) -> tuple[str, Overrides]:
    """Split a webhook URL into the URL to call and its connection overrides."""
    target, _, fragment = url.partition("#")
    values = dict(parse_qsl(fragment))
    defaults = Overrides()
    rc = values.get("rc", "")
    policy = frozenset(p for p in values.get("rp", "").split(",") if p in RETRY_CLASSES)
    return target, Overrides(
        retry_count=min(int(rc), 5) if rc.isdigit() else defaults.retry_count,
        retry_policy=policy or defaults.retry_policy,
        connect_timeout=_millis(values.get("ct", ""), 100, 10000, defaults.connect_timeout),
        read_timeout=_millis(values.get("rt", ""), 100, 15000, defaults.read_timeout),
        total_time=_millis(values.get("tt", ""), 100, 15000, defaults.total_time),
    )


@dataclass
class WebhookResult:
    """What happened to one webhook event, over all its attempts."""

    url: str
    status: int | None = None
    attempts: int = 0
    error: str | None = None
    body: str = ""
    content_type: str = ""
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    def summary(self) -> dict[str, object]:
        return {
            "url": self.url,
            "status": self.status,
            "attempts": self.attempts,
            "error": self.error,
            "failures": list(self.failures),
        }


def _failure_class(status: int | None, exc: Exception | None) -> str:
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
        return "ct"
    if exc is not None:
        return "rt"
    assert status is not None
    return "4xx" if 400 <= status < 500 else "5xx" if status >= 500 else ""


class WebhookSender:
    """POSTs signed webhook forms from the background loop, with one shared HTTP client."""

    def __init__(self) -> None:
        self._client: httpx.AsyncClient | None = None

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:  # created on first use, inside the loop that uses it
            self._client = httpx.AsyncClient(
                limits=httpx.Limits(max_connections=200, max_keepalive_connections=50),
                follow_redirects=False,
                trust_env=False,
            )
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def post(
        self,
        url: str,
        params: Sequence[tuple[str, str]],
        auth_token: str,
        idempotency_token: str | None = None,
    ) -> WebhookResult:
        """Deliver one event to `url`, retrying as its overrides allow; every attempt
        carries `idempotency_token` (a new one if not given)."""
        target, overrides = parse_overrides(url)
        headers = {
            SIGNATURE_HEADER: compute_signature(auth_token, target, params),
            "Content-Type": "application/x-www-form-urlencoded",
            "User-Agent": USER_AGENT,
            "Accept": "*/*",
            "I-Twilio-Idempotency-Token": idempotency_token or str(uuid.uuid4()),
        }
        content = urlencode(list(params)).encode("utf-8")
        timeout = httpx.Timeout(
            overrides.read_timeout, connect=overrides.connect_timeout, pool=None
        )
        result = WebhookResult(url=target)
        deadline = time.monotonic() + overrides.total_time
        while True:
            result.attempts += 1
            exc: Exception | None = None
            try:
                response = await self._http().post(
                    target, content=content, headers=headers, timeout=timeout
                )
                result.status, result.error = response.status_code, None
                result.body = response.text
                result.content_type = response.headers.get("content-type", "")
            except (httpx.HTTPError, httpx.InvalidURL) as error:
                exc, result.status, result.error = error, None, f"{type(error).__name__}: {error}"
            if result.ok:
                return result
            kind = _failure_class(result.status, exc)
            result.failures.append(kind)
            retryable = kind in overrides.retry_policy or "all" in overrides.retry_policy
            if not retryable or result.attempts > overrides.retry_count:
                return result
            if time.monotonic() >= deadline:
                return result
