"""`POST /twilio/inbound`: signed, validated, recorded once, answered at once with TwiML."""

from __future__ import annotations

import pytest
from redis import Redis
from twilio.request_validator import RequestValidator

from bridge.ingress.twilio_inbound import REPLIES_PER_WINDOW, clean_body
from bridge.store import keys
from tests.ingress.conftest import PUBLIC_URL, TWILIO_TOKEN, Ingress, relay_all


def sid(n: int) -> str:
    return f"SM{n:032x}"


def deliver(ingress: Ingress, form: dict[str, str], token: str = TWILIO_TOKEN) -> tuple[int, str]:
    signature = RequestValidator(token).compute_signature(PUBLIC_URL + "/twilio/inbound", form)
    answer = ingress.http.post(f"{ingress.url}/twilio/inbound", data=form,
                               headers={"X-Twilio-Signature": signature})
    return answer.status_code, answer.text


def test_a_reply_is_recorded_queued_and_answered_with_empty_twiml(
    ingress: Ingress, redis: Redis
) -> None:
    form = {"MessageSid": sid(1), "From": "+31612345678", "To": "+3197010000000", "Body": "JA"}
    status, text = deliver(ingress, form)
    assert status == 200 and text.endswith("<Response></Response>")
    assert redis.hget(keys.inbound(sid(1)), "body") == b"JA"
    assert deliver(ingress, form)[0] == 200  # the same SID again: nothing more
    assert relay_all(redis) == 1


def test_wrong_signature_is_403_and_records_nothing(ingress: Ingress, redis: Redis) -> None:
    form = {"MessageSid": sid(2), "From": "+31612345678", "To": "+31970", "Body": "NEE"}
    assert deliver(ingress, form, token="wrong")[0] == 403
    assert not redis.exists(keys.inbound(sid(2)))


@pytest.mark.parametrize("form", [
    {"MessageSid": "SMnope", "From": "+31612345678", "Body": "JA"},
    {"MessageSid": sid(3), "From": "06-12345678", "Body": "JA"},
    {"MessageSid": sid(3), "From": "+31612345678"},
])
def test_malformed_replies_are_400(ingress: Ingress, form: dict[str, str]) -> None:
    assert deliver(ingress, form)[0] == 400


def test_a_flood_from_one_number_is_kept_but_not_handled(ingress: Ingress, redis: Redis) -> None:
    for n in range(REPLIES_PER_WINDOW + 3):
        deliver(ingress, {"MessageSid": sid(100 + n), "From": "+31611111111", "Body": "spam"})
    deliver(ingress, {"MessageSid": sid(999), "From": "+31622222222", "Body": "JA"})
    assert relay_all(redis) == REPLIES_PER_WINDOW + 1  # the other number still gets through
    assert redis.hget(keys.inbound(sid(100 + REPLIES_PER_WINDOW)), "state") == \
        b"ignored:rate_limited"


def test_bodies_lose_control_characters_and_stay_short() -> None:
    assert clean_body("JA\x00\x07\n") == "JA\n"
    assert len(clean_body("x" * 5000)) == 1600
