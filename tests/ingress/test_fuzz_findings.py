"""The bugs the schemathesis fuzzing found (tests/ingress/test_openapi_schemathesis.py),
pinned one by one; the document's gaps it found are fixed in `bridge.ingress.openapi`."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from redis import Redis
from twilio.request_validator import RequestValidator

from bridge.store.message_log import MessageLog, MessageRecord
from tests.ingress.conftest import PUBLIC_URL, TWILIO_TOKEN, Ingress, standard_webhooks_headers

SID = "SM" + "c3" * 16


def _twilio_post(ingress: Ingress, path: str, form: dict[str, str]) -> httpx.Response:
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(PUBLIC_URL + path, form)
    return ingress.http.post(f"{ingress.url}{path}", data=form,
                             headers={"X-Twilio-Signature": signature})


def test_a_signed_body_that_is_not_utf8_is_refused_for_that(ingress: Ingress) -> None:
    body = b'{"type": "customer.changed", "data": {"customer_id": 1}}\xff'
    answer = ingress.http.post(f"{ingress.url}/webhooks/booking", content=body, headers={
        **standard_webhooks_headers(body), "content-type": "application/json"})
    assert answer.status_code == 401
    assert answer.json()["error"] == "webhook signature refused: the body is not UTF-8 text"


@pytest.mark.parametrize("code", ["²", "9" * 5000, "１２"])
def test_an_error_code_that_is_no_ascii_number_is_a_400(
    ingress: Ingress, redis: Redis, code: str
) -> None:
    log = MessageLog(redis, 3600)
    log.open(MessageRecord("k:sms", "k", 7, "reminder", "sms", "+31612345678", "sent"),
             datetime.now(UTC))
    log.link_provider("k:sms", SID)
    form = {"MessageSid": SID, "MessageStatus": "failed", "ErrorCode": code}
    answer = _twilio_post(ingress, "/twilio/status", form)  # "²".isdigit(): was a 500
    assert answer.status_code == 400 and answer.json()["error"] == "ErrorCode: not a number"
    assert _twilio_post(ingress, "/twilio/status", {**form, "ErrorCode": "30003"}).status_code \
        == 204


@pytest.mark.parametrize(
    ("path", "form"),
    [("/twilio/status", {"MessageSid": SID + "\n", "MessageStatus": "sent"}),
     ("/twilio/inbound", {"MessageSid": SID + "\n", "From": "+31612345678", "Body": "ja"}),
     ("/twilio/inbound", {"MessageSid": SID, "From": "+31612345678\n", "Body": "ja"})],
)
def test_a_trailing_new_line_does_not_fit_the_pattern(
    ingress: Ingress, path: str, form: dict[str, str]
) -> None:
    # `re.match("^…$")` let "…\n" through; the document's pattern (ECMA-262) does not.
    assert _twilio_post(ingress, path, form).status_code == 400
