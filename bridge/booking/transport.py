"""Signed HTTP calls to the booking API, with timeouts, retries and clock-skew learning.

One `Transport` holds one pooled `httpx.Client`. Each call is signed afresh (the salt
is the current Unix time, corrected by the skew learned from the server's
`Status/Timestamp`, so it never runs ahead of the server). Transport failures
(timeouts, refused connections, HTTP 5xx and 429) are retried with bounded
exponential backoff and full jitter; API-level failures never are, except one
immediate re-sign when the server refused the salt and we have just learned its clock.
"""

from __future__ import annotations

import random
import threading
import time as _time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import httpx
import structlog

from bridge.booking.envelope import Envelope, parse_envelope
from bridge.booking.errors import (
    BookingAuthError,
    BookingProtocolError,
    BookingTransportError,
    api_error_from,
)
from bridge.booking.signing import sign
from bridge.clock import Clock, SystemClock

__all__ = ["RetryPolicy", "Transport"]

log = structlog.get_logger(__name__)

#: The largest answer we read; a list page of the real API is far smaller.
MAX_BODY_BYTES = 64 * 1024 * 1024
#: Seconds kept between our salt and the server's clock as a safety margin.
SALT_MARGIN_SECONDS = 1


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how patiently transport failures are retried."""

    attempts: int = 4
    base_delay: float = 0.25
    max_delay: float = 4.0

    def delay(self, retry_number: int, rng: random.Random) -> float:
        """Full jitter: a random wait up to an exponentially growing, capped ceiling."""
        ceiling = min(self.max_delay, self.base_delay * (2**retry_number))
        return rng.uniform(0, ceiling)


class Transport:
    """Sends signed calls to one API endpoint and returns parsed envelopes."""

    def __init__(
        self,
        url: str,
        api_key: str,
        api_secret: str,
        *,
        timeout: float = 10.0,
        clock: Clock | None = None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = _time.sleep,
        rng: random.Random | None = None,
        http: httpx.Client | None = None,
        connections: int = 10,
    ) -> None:
        if not api_key or not api_secret:
            raise ValueError("the booking API needs an API key and secret")
        self.url = url
        self._key = api_key
        self._secret = api_secret
        self._clock = clock or SystemClock()
        self._retry = retry or RetryPolicy()
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._http = http or httpx.Client(
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
            limits=httpx.Limits(max_connections=connections,
                                max_keepalive_connections=connections),
            headers={"User-Agent": "oabridge"},
        )
        self._skew = 0.0
        self._lock = threading.Lock()

    @property
    def skew_seconds(self) -> float:
        """Server time minus our time, as last measured."""
        with self._lock:
            return self._skew

    def close(self) -> None:
        self._http.close()

    def _salt(self) -> int:
        return int(self._clock.now().timestamp() + self.skew_seconds) - SALT_MARGIN_SECONDS

    def _learn_skew(self, server_timestamp: int) -> float:
        skew = server_timestamp - self._clock.now().timestamp()
        with self._lock:
            self._skew = skew
        return skew

    def signed_params(self, method: str, params: Mapping[str, str]) -> dict[str, str]:
        """The full query of one call: parameters, method, key, salt and signature."""
        signed = {**params, "method": method}
        salt = self._salt()
        signed["api_signature"] = sign(signed, self._secret, salt)
        signed["api_key"] = self._key
        signed["api_salt"] = str(salt)
        return signed

    def call(self, method: str, params: Mapping[str, str]) -> Envelope:
        """One API call; raises a `BookingError` subclass unless it succeeded."""
        salt_retried = False
        retry_number = 0
        while True:
            try:
                envelope = self._send_once(method, params)
            except BookingTransportError as exc:
                if retry_number + 1 >= self._retry.attempts:
                    raise
                wait = self._retry.delay(retry_number, self._rng)
                log.warning("booking_api_retry", method=method, error=str(exc), wait_s=wait)
                self._sleep(wait)
                retry_number += 1
                continue
            previous_skew = self.skew_seconds
            if envelope.timestamp is not None:
                self._learn_skew(envelope.timestamp)
            if envelope.succeeded:
                return envelope
            error = api_error_from(method, envelope.code, envelope.message)
            if not salt_retried and _salt_refused(error, previous_skew, self.skew_seconds):
                salt_retried = True
                continue
            raise error

    def _send_once(self, method: str, params: Mapping[str, str]) -> Envelope:
        query = self.signed_params(method, params)
        started = _time.perf_counter()
        try:
            with self._http.stream("GET", self.url, params=query) as response:
                body = _read_capped(response)
        except httpx.TimeoutException as exc:
            raise BookingTransportError(f"{method}: timed out ({type(exc).__name__})") from exc
        except httpx.TransportError as exc:
            raise BookingTransportError(f"{method}: {type(exc).__name__}: {exc}") from exc
        elapsed_ms = round((_time.perf_counter() - started) * 1000, 1)
        status = response.status_code
        log.debug("booking_api_call", method=method, http_status=status, ms=elapsed_ms)
        if status >= 500 or status == 429:
            raise BookingTransportError(f"{method}: HTTP {status} from the booking API")
        if status != 200:
            raise BookingProtocolError(
                f"{method}: HTTP {status} from {self.url} (is the API URL right?)"
            )
        return parse_envelope(body)


def _salt_refused(error: Exception, skew_before: float, skew_after: float) -> bool:
    """The server refused our salt, and its clock told us how far off we were."""
    moved = abs(skew_after - skew_before) >= 1
    return moved and isinstance(error, BookingAuthError) and "salt" in error.message.lower()


def _read_capped(response: httpx.Response) -> bytes:
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise BookingProtocolError(f"answer larger than {MAX_BODY_BYTES} bytes")
        chunks.append(chunk)
    return b"".join(chunks)
