"""Schemathesis against the ingress's own `/openapi.json`: no 5xx, every answer as documented.

The schema is loaded from the running ingress (uvicorn on a free port, the test Redis)
and every operation in it is fuzzed:

- signed: a `requests` auth hook (`Signer`) signs each prepared request over the bytes
  actually sent (Standard Webhooks over the raw body, X-Twilio-Signature over the public
  URL and the form, the bearer token), so generated data reaches the handlers.
  Schema-valid data must be accepted at least once (proof that the signing gets past
  authentication); schema-violating data must be refused (`negative_data_rejection`).
  The signed headers are fixed while generating, so that a violation is never one that
  the hook then overwrites;
- unsigned: the same operations without the hook must all get the documented 401/403.

Every answer is checked for "no server error" and for conformance to the document:
status code, content type, response headers, response body schema, and 405 with
`Allow` for a method the document does not list. Finally, with Redis unreachable, the
503 answers must match the document too (`/metrics` answers 200 even then). The
bugs this fuzzing found are pinned in tests/ingress/test_fuzz_findings.py.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from redis import Redis
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)
from twilio.request_validator import RequestValidator

from bridge.http.app import create_app
from bridge.ingress.openapi import openapi_document
from bridge.ingress.routes import ROUTES
from bridge.store.message_log import MessageLog, MessageRecord
from tests.ingress.conftest import (
    PUBLIC_URL,
    TRIGGER_TOKEN,
    TWILIO_TOKEN,
    ingress_settings,
    standard_webhooks_headers,
)
from tests.support.asgi_server import free_port, serve

CheckFunction = Callable[..., Any]

#: What the document promises about every answer.
CONFORMANCE: list[CheckFunction] = [
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    unsupported_method,
]
CHECKS = [not_a_server_error, *CONFORMANCE]


def fuzz_settings(examples: int) -> settings:
    """Deterministic (the same examples on every run, nothing stored between runs)."""
    return settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )


#: Examples per operation and mode: every documented answer is reached well within this.
EXAMPLES = 50

#: The refusal of an unsigned request, as documented, by path.
REFUSED_UNSIGNED = {
    "/webhooks/booking": 401,
    "/triggers/poll": 401,
    "/twilio/status": 403,
    "/twilio/inbound": 403,
}

#: Placeholders for the headers the signer sets, so generation does not spend its
#: violations on them (the bearer scheme is a generated `Authorization` header).
SIGNED_HEADERS: dict[str, dict[str, str]] = {
    "/webhooks/booking": {"webhook-id": "-", "webhook-timestamp": "0", "webhook-signature": "-"},
    "/triggers/poll": {"Authorization": "Bearer -"},
    "/twilio/status": {"X-Twilio-Signature": "-"},
    "/twilio/inbound": {"X-Twilio-Signature": "-"},
}

OPERATIONS = [
    (method.upper(), path)
    for path, item in openapi_document()["paths"].items()
    for method in item
]
OPERATION_IDS = [f"{method} {path}" for method, path in OPERATIONS]


class Signer(requests.auth.AuthBase):
    """Signs a prepared request as the real callers do, over the bytes actually sent."""

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        parts = urlsplit(request.url or "")
        if isinstance(request.body, str):  # sign and send the same bytes
            request.body = request.body.encode()
            request.headers["Content-Length"] = str(len(request.body))
        raw = request.body or b""
        assert isinstance(raw, bytes), "streamed bodies are not generated here"
        if parts.path == "/webhooks/booking":
            request.headers.update(standard_webhooks_headers(raw))
        elif parts.path == "/triggers/poll":
            request.headers["Authorization"] = f"Bearer {TRIGGER_TOKEN}"
        elif parts.path.startswith("/twilio/"):
            try:
                form = dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
            except UnicodeDecodeError:  # refused as 400 before the signature is looked at
                return request
            url = PUBLIC_URL + parts.path + (f"?{parts.query}" if parts.query else "")
            signature = RequestValidator(TWILIO_TOKEN).compute_signature(url, form)
            request.headers["X-Twilio-Signature"] = signature
        return request


@dataclass
class Served:
    url: str
    schema: schemathesis.BaseSchema
    #: The ingress's message log, when status reports should find their message.
    log: MessageLog | None = None


def load_schema(url: str) -> schemathesis.BaseSchema:
    schema = schemathesis.openapi.from_url(f"{url}/openapi.json", config=schemathesis.Config())
    # Schemathesis leaves out the operation that served the document unless a filter
    # names it; this filter names every path, so /openapi.json is fuzzed like the rest.
    return schema.include(path_regex="^/")


@pytest.fixture(scope="module")
def served(redis_url: str) -> Iterator[Served]:
    """One ingress for the module, on the test Redis (db 15, flushed before and after)."""
    redis = Redis.from_url(redis_url)
    redis.flushdb()
    try:
        with serve(create_app(ingress_settings(redis_url))) as url:
            yield Served(url, load_schema(url), MessageLog(redis, 3600))
    finally:
        redis.flushdb()
        redis.close()


@dataclass
class Answers:
    """What one fuzzing run got back."""

    #: (status, the bytes sent, the answer's text) for every request.
    exchanges: list[tuple[int, bytes, str]]

    @property
    def statuses(self) -> Counter[int]:
        return Counter(status for status, _sent, _text in self.exchanges)

    def refused(self) -> list[tuple[int, bytes, str]]:
        return [item for item in self.exchanges if item[0] in (401, 403)]


def fuzz(
    served: Served,
    method: str,
    path: str,
    mode: GenerationMode,
    *,
    signed: bool,
    checks: list[CheckFunction],
    examples: int = EXAMPLES,
) -> Answers:
    operation = served.schema[path][method]
    answers = Answers([])
    fixed = SIGNED_HEADERS.get(path) if signed else None

    @fuzz_settings(examples)
    @given(case=operation.as_strategy(generation_mode=mode, headers=fixed))
    def run(case: Case) -> None:
        if path == "/twilio/status" and served.log is not None:
            _sent_by_us(served.log, case.body)
        response = case.call_and_validate(
            base_url=served.url, checks=checks, auth=Signer() if signed else None, timeout=10
        )
        body = response.request.body
        sent = body.encode() if isinstance(body, str) else body or b""
        answers.exchanges.append((response.status_code, sent, response.text))

    run()
    return answers


def _sent_by_us(log: MessageLog, form: object) -> None:
    """Make the reported message one the bridge sent, so the report reaches the log."""
    sid = form.get("MessageSid") if isinstance(form, dict) else None
    if isinstance(sid, str) and sid:
        message_id = f"fuzz:{hashlib.sha256(sid.encode()).hexdigest()[:16]}"
        record = MessageRecord(message_id, "fuzz", 1, "reminder", "sms", "+31612345678", "sent")
        log.open(record, datetime.now(UTC))
        log.link_provider(message_id, sid)


def _not_utf8(sent: bytes) -> bool:
    try:
        sent.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def test_the_fuzzed_document_is_the_served_one_and_names_every_route(served: Served) -> None:
    fuzzed = {(op.ok().method.upper(), op.ok().path) for op in served.schema.get_all_operations()}
    assert fuzzed == set(OPERATIONS)
    assert {route.path for route in ROUTES} <= {path for _method, path in fuzzed}


def _takes_input(served: Served, method: str, path: str) -> bool:
    operation = served.schema[path][method]
    return bool(operation.body) or any(True for _ in operation.iter_parameters())


@pytest.mark.slow
@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=OPERATION_IDS)
def test_signed_requests_get_documented_answers(served: Served, method: str, path: str) -> None:
    valid = fuzz(served, method, path, GenerationMode.POSITIVE, signed=True, checks=CHECKS)
    assert any(200 <= status < 300 for status in valid.statuses), valid.statuses
    assert valid.refused() == []
    if not _takes_input(served, method, path):
        return
    invalid = fuzz(served, method, path, GenerationMode.NEGATIVE, signed=True,
                   checks=[*CHECKS, negative_data_rejection])
    assert 400 in invalid.statuses, invalid.statuses
    # A signed request is refused as unsigned only when its body is not UTF-8: the
    # Standard Webhooks library signs text, so such bytes cannot carry a signature.
    for status, sent, answer in invalid.refused():
        assert path == "/webhooks/booking" and status == 401, (status, sent, answer)
        assert _not_utf8(sent) and "not UTF-8" in answer, (sent, answer)


@pytest.mark.slow
@pytest.mark.parametrize("path", sorted(REFUSED_UNSIGNED))
@pytest.mark.parametrize("mode", list(GenerationMode), ids=str)
def test_unsigned_requests_get_the_documented_refusal(
    served: Served, path: str, mode: GenerationMode
) -> None:
    answers = fuzz(served, "POST", path, mode, signed=False, checks=CHECKS)
    for status, sent, answer in answers.exchanges:
        if status == 400 and path.startswith("/twilio/"):
            # The form is read before its signature: bytes that are not UTF-8 are a 400.
            assert _not_utf8(sent), (sent, answer)
        else:
            assert status == REFUSED_UNSIGNED[path], (status, sent, answer)


def test_with_redis_down_the_503_answers_are_documented() -> None:
    down = ingress_settings(f"redis://127.0.0.1:{free_port()}/0")
    with serve(create_app(down)) as url:
        served = Served(url, load_schema(url))
        for method, path in OPERATIONS:
            answers = fuzz(served, method, path, GenerationMode.POSITIVE, signed=True,
                           checks=CONFORMANCE, examples=10)
            if path in REFUSED_UNSIGNED or path == "/readyz":
                assert 503 in answers.statuses, (path, answers.statuses)
            elif path == "/metrics":  # the process's own figures, and that Redis is down
                assert set(answers.statuses) == {200}, answers.statuses
                assert all("oabridge_redis_up 0.0" in text for *_, text in answers.exchanges)
