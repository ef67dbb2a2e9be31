"""Signed HTTP calls to the booking API, with timeouts, retries and clock-skew learning.

One `Transport` holds one pooled `httpx.Client`. Each call is signed afresh (the salt
is the current Unix time, corrected by the skew learned from the server's
`Status/Timestamp`, so it never runs ahead of the server). Transport failures
(timeouts, refused connections, HTTP 5xx and 429) are retried with bounded
exponential backoff and full jitter; API-level failures never are, except one
immediate re-sign when the server refused the salt and we have just learned its clock.

Bounds, because the answer comes from outside:
- Time. The timeout bounds each attempt as a whole, connect and every read together
  (`bridge.booking.deadline`), however slowly the server drips its answer; a call with
  its retries and the re-sign ends within `RetryPolicy.call_budget(timeout)`.
  `abort()` (a worker told to stop) ends the call in hand and every later one at once
  with `BookingCallAborted`.
- Size. An answer may be as large as the call can legitimately return and no larger:
  `answer_bound(max_records)`, the objects the call asks for (a page's `Limit`) times
  `MAX_RECORD_BYTES`, plus `ENVELOPE_BYTES`. Beyond it the call is refused
  (`BookingProtocolError`, naming the bound) as soon as the bytes pass it, unread.
- Memory. The body is parsed as it streams in (`read_envelope`), each object kept as a
  small `Record` and its XML dropped.
"""

from __future__ import annotations

import random
import threading
import time as _time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

import httpx
import structlog

from bridge.booking.deadline import AttemptBudget, CallAborted, DeadlineTransport, attempt_budget
from bridge.booking.envelope import Envelope, read_envelope
from bridge.booking.errors import (
    BookingAuthError,
    BookingCallAborted,
    BookingProtocolError,
    BookingTransportError,
    api_error_from,
)
from bridge.booking.signing import sign
from bridge.clock import Clock, SystemClock

__all__ = ["ENVELOPE_BYTES", "MAX_RECORD_BYTES", "RetryPolicy", "Transport", "answer_bound"]

log = structlog.get_logger(__name__)

#: The most one object of an answer may take, on average: an appointment of the real
#: API is about 1.5 KiB, a customer with every field filled about 2 KiB.
MAX_RECORD_BYTES = 16 * 1024
#: The Status block and the XML around the objects.
ENVELOPE_BYTES = 64 * 1024
#: Seconds kept between our salt and the server's clock as a safety margin.
SALT_MARGIN_SECONDS = 1


def answer_bound(max_records: int) -> int:
    """The largest answer, in bytes, that a call returning `max_records` objects reads."""
    return ENVELOPE_BYTES + max(1, max_records) * MAX_RECORD_BYTES


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how patiently transport failures are retried."""

    attempts: int = 4
    base_delay: float = 0.25
    max_delay: float = 4.0

    def ceiling(self, retry_number: int) -> float:
        return min(self.max_delay, self.base_delay * 2.0**retry_number)

    def delay(self, retry_number: int, rng: random.Random) -> float:
        """Full jitter: a random wait up to an exponentially growing, capped ceiling."""
        return rng.uniform(0, self.ceiling(retry_number))

    def call_budget(self, timeout: float) -> float:
        """The longest one call may take: every attempt, the one re-sign after a refused
        salt, and the longest wait before each retry (4 attempts of 10 s: 51.75 s)."""
        waits = sum(self.ceiling(number) for number in range(self.attempts - 1))
        return (self.attempts + 1) * timeout + waits


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
        sleep: Callable[[float], object] | None = None,
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
        self._timeout = timeout
        self._abort = threading.Event()
        #: Waits before a retry; an abort cuts the default one short.
        self._sleep = sleep or self._abort.wait
        self._rng = rng or random.Random()
        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
        self._http = http or httpx.Client(
            transport=DeadlineTransport(limits),
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
            # Uncompressed: a compressed answer could inflate past any bound in one read.
            headers={"User-Agent": "oabridge", "Accept-Encoding": "identity"},
        )
        self._skew = 0.0
        self._lock = threading.Lock()

    @property
    def skew_seconds(self) -> float:
        """Server time minus our time, as last measured."""
        with self._lock:
            return self._skew

    @property
    def call_budget_seconds(self) -> float:
        """The longest one call may take, its retries included."""
        return self._retry.call_budget(self._timeout)

    def abort(self) -> None:
        """Abandon the call in hand and refuse every later one (the worker is stopping);
        safe from a signal handler."""
        self._abort.set()

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

    def call(self, method: str, params: Mapping[str, str], *, max_records: int = 1) -> Envelope:
        """One API call whose answer holds at most `max_records` objects; raises a
        `BookingError` subclass unless it succeeded."""
        salt_retried = False
        retry_number = 0
        ends = _time.monotonic() + self.call_budget_seconds
        while True:
            try:
                envelope = self._send_once(method, params, max_records, ends)
            except BookingCallAborted:
                raise
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

    def _send_once(self, method: str, params: Mapping[str, str], max_records: int,
                   call_ends: float) -> Envelope:
        if self._abort.is_set():
            raise BookingCallAborted(f"{method}: not sent, the worker is stopping")
        left = min(self._timeout, call_ends - _time.monotonic())
        if left <= 0:
            raise BookingTransportError(f"{method}: out of time for another attempt")
        query = self.signed_params(method, params)
        started = _time.perf_counter()
        try:
            with attempt_budget(left, self._abort) as budget, \
                    self._http.stream("GET", self.url, params=query) as response:
                _check_status(method, self.url, response)
                envelope = read_envelope(_bounded_body(method, response, budget, max_records),
                                         max_records)
        except CallAborted as exc:
            raise BookingCallAborted(f"{method}: {exc}") from None
        except httpx.TimeoutException as exc:
            raise BookingTransportError(f"{method}: timed out ({type(exc).__name__})") from exc
        except httpx.TransportError as exc:
            raise BookingTransportError(f"{method}: {type(exc).__name__}: {exc}") from exc
        elapsed_ms = round((_time.perf_counter() - started) * 1000, 1)
        log.debug("booking_api_call", method=method, http_status=response.status_code,
                  ms=elapsed_ms)
        return envelope


def _check_status(method: str, url: str, response: httpx.Response) -> None:
    """Refuse an answer by its status line and headers, before reading its body."""
    status = response.status_code
    if status >= 500 or status == 429:
        raise BookingTransportError(f"{method}: HTTP {status} from the booking API")
    if status != 200:
        raise BookingProtocolError(f"{method}: HTTP {status} from {url} (is the API URL right?)")
    encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
    if encoding not in {"", "identity"}:
        raise BookingProtocolError(f"{method}: a {encoding!r}-encoded answer, not asked for")


def _salt_refused(error: Exception, skew_before: float, skew_after: float) -> bool:
    """The server refused our salt, and its clock told us how far off we were."""
    moved = abs(skew_after - skew_before) >= 1
    return moved and isinstance(error, BookingAuthError) and "salt" in error.message.lower()


def _bounded_body(method: str, response: httpx.Response, budget: AttemptBudget,
                 max_records: int) -> Iterator[bytes]:
    """The body's chunks, refused once past `answer_bound(max_records)` and cut off at
    the attempt's deadline (also where the client is not ours, e.g. in tests)."""
    bound = answer_bound(max_records)
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > bound:
        raise BookingProtocolError(
            f"{method}: an answer of {declared} bytes, more than the {bound} bytes "
            f"{max_records} objects may take")
    size = 0
    for chunk in response.iter_bytes():  # no Content-Encoding: the bytes as sent
        size += len(chunk)
        if size > bound:
            raise BookingProtocolError(
                f"{method}: answer larger than {bound} bytes, more than {max_records} "
                "objects may take")
        budget.left(None, httpx.ReadTimeout)
        yield chunk
