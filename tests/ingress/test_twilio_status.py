"""`POST /twilio/status`: signatures against the public URL, validation, the timeline."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from redis import Redis
from twilio.request_validator import RequestValidator

from bridge.store.message_log import MessageLog, MessageRecord
from tests.ingress.conftest import PUBLIC_URL, TWILIO_TOKEN, Ingress

SID = "SM" + "a1" * 16


def post(ingress: Ingress, form: dict[str, str], *, token: str = TWILIO_TOKEN,
         signed_url: str = PUBLIC_URL + "/twilio/status") -> int:
    signature = RequestValidator(token).compute_signature(signed_url, form)
    answer = ingress.http.post(f"{ingress.url}/twilio/status", data=form,
                               headers={"X-Twilio-Signature": signature})
    return answer.status_code


def test_a_signed_report_moves_the_message_forward(ingress: Ingress, redis: Redis) -> None:
    log = MessageLog(redis, 3600)
    now = datetime.now(UTC)
    log.open(MessageRecord("k:sms", "k", 7, "reminder", "sms", "+31612345678", "sent"), now)
    log.link_provider("k:sms", SID)
    assert post(ingress, {"MessageSid": SID, "MessageStatus": "delivered"}) == 204
    assert post(ingress, {"MessageSid": SID, "MessageStatus": "sent"}) == 204  # late, twice
    record = log.get("k:sms")
    assert record is not None and record.status == "delivered"
    assert [s["status"] for s in record.timeline] == ["sent", "delivered", "sent"]


def test_failure_codes_are_kept(ingress: Ingress, redis: Redis) -> None:
    log = MessageLog(redis, 3600)
    log.open(MessageRecord("k:sms", "k", 7, "reminder", "sms", "+31612345678", "sent"),
             datetime.now(UTC))
    log.link_provider("k:sms", SID)
    form = {"MessageSid": SID, "MessageStatus": "undelivered", "ErrorCode": "30003"}
    assert post(ingress, form) == 204
    record = log.get("k:sms")
    assert record is not None and record.timeline[-1]["code"] == 30003


@pytest.mark.parametrize(
    ("token", "url"),
    [("wrong-token", PUBLIC_URL + "/twilio/status"),
     (TWILIO_TOKEN, "http://127.0.0.1/twilio/status")],  # signed for another address
)
def test_wrong_signatures_are_403(ingress: Ingress, token: str, url: str) -> None:
    assert post(ingress, {"MessageSid": SID, "MessageStatus": "sent"}, token=token,
                signed_url=url) == 403
    missing = ingress.http.post(f"{ingress.url}/twilio/status",
                                data={"MessageSid": SID, "MessageStatus": "sent"})
    assert missing.status_code == 403


@pytest.mark.parametrize(
    "form",
    [{"MessageSid": "nope", "MessageStatus": "sent"},
     {"MessageSid": SID, "MessageStatus": "exploded"},
     {"MessageSid": SID, "MessageStatus": "failed", "ErrorCode": "x1"}],
)
def test_signed_but_malformed_reports_are_400(ingress: Ingress, form: dict[str, str]) -> None:
    assert post(ingress, form) == 400


def test_reports_about_unknown_messages_are_accepted(ingress: Ingress) -> None:
    assert post(ingress, {"MessageSid": "SM" + "0" * 32, "MessageStatus": "sent"}) == 204
