"""`bridge.ingress.signatures.verify`: the standardwebhooks package's `verify`, on a given clock.

On the wall clock both must give the same verdict, and the same error, for any body and
headers: the answers of `/webhooks/booking` stay what they were with the package's
`verify`. On another clock the window moves with it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from bridge.ingress.signatures import TOLERANCE, verify
from bridge.settings.webhook_secrets import WebhookKeys
from tests.ingress.conftest import WEBHOOK_SECRET

WEBHOOK = Webhook(WEBHOOK_SECRET)
OTHER_SECRET = "whsec_" + "b3RoZXItc2VjcmV0LW9mLTMyLWJ5dGVzLWxlbmd0aCE="
OTHER = Webhook(OTHER_SECRET)
BODY = b'{"type": "customer.changed", "data": {"customer_id": 1}}'
#: Far from any wall clock these tests run on.
LONG_AGO = datetime(2021, 6, 1, 9, 0, tzinfo=UTC)


def headers(ident: str, at: datetime, signature: str) -> dict[str, str]:
    return {"webhook-id": ident, "webhook-timestamp": str(int(at.timestamp())),
            "webhook-signature": signature}


def outcome(check: Callable[[], object]) -> tuple[str, str]:
    try:
        check()
    except Exception as exc:  # what is compared is exactly what was raised
        return type(exc).__name__, str(exc)
    return "ok", ""


def package(body: bytes, found: dict[str, str]) -> tuple[str, str]:
    """The package's verdict, called as the ingress called it before."""
    return outcome(lambda: WEBHOOK.verify(body, found, json_parse=False))


def ours(body: bytes, found: dict[str, str], now: datetime) -> tuple[str, str]:
    return outcome(lambda: verify(WEBHOOK, body, found, now))


#: Offsets from now, in seconds, that stay well clear of the window's edges (±300 s),
#: so the two calls, made a moment apart, cannot fall on different sides of one.
OFFSETS = st.sampled_from([0, -120, 120, -290, 290, -310, 310, -86_400, 86_400])
SIGNERS = st.sampled_from([WEBHOOK, OTHER])
SIGNATURES = st.sampled_from(["v1,AAAA", "garbage", "v2,x v1,y", "v1,=", "v1,a,b", "v1", ""])
STAMPS = st.sampled_from(["now", "nan", "inf", "1e30", "-1e30", " 12 ", "1.5", ""])


@st.composite
def requests(draw: st.DrawFn) -> tuple[bytes, dict[str, str]]:
    body = draw(st.one_of(st.just(BODY), st.text(max_size=40).map(str.encode),
                          st.binary(max_size=40)))
    ident = draw(st.sampled_from(["msg_1", "msg two", "msg_1", ""]))
    at = datetime.now(UTC) + timedelta(seconds=draw(OFFSETS))
    text = body.decode("utf-8", "replace")
    signed = draw(SIGNERS).sign(ident or "-", at, text)
    signature = draw(st.one_of(st.just(signed), st.just(f"v0,x {signed}"), SIGNATURES))
    found = headers(ident, at, signature)
    if draw(st.booleans()):
        found["webhook-timestamp"] = draw(STAMPS)
    if draw(st.integers(0, 4)) == 4:
        found.pop(draw(st.sampled_from(sorted(found))))
    return body, found


@settings(max_examples=300, derandomize=True, database=None, deadline=None)
@given(request=requests())
def test_on_the_wall_clock_it_agrees_with_the_package(
    request: tuple[bytes, dict[str, str]],
) -> None:
    body, found = request
    assert ours(body, found, datetime.now(UTC)) == package(body, found)


def test_a_good_signature_passes_and_the_package_agrees() -> None:
    now = datetime.now(UTC)
    good = headers("msg_1", now, WEBHOOK.sign("msg_1", now, BODY.decode()))
    assert ours(BODY, good, now) == package(BODY, good) == ("ok", "")


def test_the_window_follows_the_clock_it_is_given() -> None:
    signed = headers("msg_1", LONG_AGO, WEBHOOK.sign("msg_1", LONG_AGO, BODY.decode()))
    verify(WEBHOOK, BODY, signed, LONG_AGO)
    verify(WEBHOOK, BODY, signed, LONG_AGO + TOLERANCE)
    verify(WEBHOOK, BODY, signed, LONG_AGO - TOLERANCE)
    with pytest.raises(WebhookVerificationError, match="too old"):
        verify(WEBHOOK, BODY, signed, LONG_AGO + TOLERANCE + timedelta(seconds=1))
    with pytest.raises(WebhookVerificationError, match="too new"):
        verify(WEBHOOK, BODY, signed, LONG_AGO - TOLERANCE - timedelta(seconds=1))
    with pytest.raises(WebhookVerificationError, match="too old"):
        verify(WEBHOOK, BODY, signed, datetime.now(UTC))  # the wall clock: years later


@settings(max_examples=300, derandomize=True, database=None, deadline=None)
@given(request=requests())
def test_with_two_secrets_it_accepts_what_either_accepts(
    request: tuple[bytes, dict[str, str]],
) -> None:
    """While rotating (`whsec_new,whsec_old`): the verdict is the better one of the two
    secrets', and with one secret it is exactly that secret's."""
    body, found = request
    now = datetime.now(UTC)
    one = outcome(lambda: verify(WEBHOOK, body, found, now))
    other = outcome(lambda: verify(OTHER, body, found, now))
    assert outcome(lambda: verify(WebhookKeys([WEBHOOK_SECRET]), body, found, now)) == one
    both = outcome(lambda: verify(WebhookKeys([OTHER_SECRET, WEBHOOK_SECRET]), body, found, now))
    assert both == (("ok", "") if ("ok", "") in (one, other) else one)
