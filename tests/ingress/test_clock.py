"""The ingress on a manual clock years away from the wall clock, and its lifespan.

Every "now" a route uses comes from the app's clock: the signature window, the time a
notice or reply was accepted, a delivery report's time, the poll lag in `/metrics`.
The app opens its Redis connections when it starts serving, not when it is built.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest
from redis import Redis
from twilio.request_validator import RequestValidator

from bridge.clock import ManualClock, SystemClock
from bridge.http.app import create_app
from bridge.http.context import AppContext, context_in
from bridge.queueing.intake import IntakeEntry
from bridge.store import keys
from bridge.store.inbound import InboundStore
from bridge.store.message_log import MessageLog, MessageRecord
from tests.ingress.conftest import PUBLIC_URL, TWILIO_TOKEN, Ingress, changed, ingress_settings
from tests.support.asgi_server import serve

#: The manual clock's time: no test runs near it.
THEN = datetime(2021, 6, 1, 9, 0, tzinfo=UTC)
SID = "SM" + "d4" * 16


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(THEN)


@pytest.fixture
def on_clock(redis: Redis, redis_url: str, clock: ManualClock) -> Iterator[Ingress]:
    app = create_app(ingress_settings(redis_url), clock=clock)
    with serve(app) as url, httpx.Client() as http:
        yield Ingress(url, http)


def twilio_post(ingress: Ingress, path: str, form: dict[str, str]) -> httpx.Response:
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(PUBLIC_URL + path, form)
    return ingress.http.post(f"{ingress.url}{path}", data=form,
                             headers={"X-Twilio-Signature": signature})


def test_a_notice_stamped_on_the_apps_clock_is_accepted(
    on_clock: Ingress, redis: Redis, clock: ManualClock
) -> None:
    answer = on_clock.signed(changed(), at=clock.now())
    assert answer.status_code == 202, answer.text
    entry = IntakeEntry.from_json(redis.lindex(keys.INTAKE, 0) or b"")
    assert entry.accepted_at == int(THEN.timestamp())


def test_a_notice_stamped_on_the_wall_clock_is_refused(on_clock: Ingress, redis: Redis) -> None:
    answer = on_clock.signed(changed(), at=datetime.now(UTC))
    assert answer.status_code == 401
    assert "too new" in answer.json()["error"]
    assert redis.llen(keys.INTAKE) == 0


def test_a_reply_is_received_at_the_apps_time(on_clock: Ingress, redis: Redis) -> None:
    form = {"MessageSid": SID, "From": "+31612345678", "To": "+3197010000000", "Body": "JA"}
    assert twilio_post(on_clock, "/twilio/inbound", form).status_code == 200
    message = InboundStore(redis, 3600).get(SID)
    assert message is not None and message.received == int(THEN.timestamp())
    entry = IntakeEntry.from_json(redis.lindex(keys.INTAKE, 0) or b"")
    assert entry.job == "handle_reply" and entry.accepted_at == int(THEN.timestamp())


def test_a_delivery_report_is_timed_on_the_apps_clock(on_clock: Ingress, redis: Redis) -> None:
    log = MessageLog(redis, 3600)
    log.open(MessageRecord("k:sms", "k", 7, "reminder", "sms", "+31612345678", "sent"), THEN)
    log.link_provider("k:sms", SID)
    form = {"MessageSid": SID, "MessageStatus": "delivered"}
    assert twilio_post(on_clock, "/twilio/status", form).status_code == 204
    record = log.get("k:sms")
    assert record is not None
    assert record.timeline[-1] == {"status": "delivered", "at": int(THEN.timestamp())}


def test_the_poll_lag_is_measured_on_the_apps_clock(on_clock: Ingress, redis: Redis) -> None:
    redis.set(keys.last_poll(3), int(THEN.timestamp()) - 42)
    text = on_clock.http.get(f"{on_clock.url}/metrics").text
    assert 'oabridge_poll_lag_seconds{agenda="3"} 42.0' in text


def test_connections_are_opened_when_serving_not_when_built(redis_url: str) -> None:
    app = create_app(ingress_settings(redis_url))
    with pytest.raises(RuntimeError, match="has not started"):
        context_in(app.state)
    with serve(app) as url, httpx.Client() as http:
        assert http.get(f"{url}/readyz").json() == {"status": "ready", "redis": "ok"}
        assert isinstance(context_in(app.state).clock, SystemClock)


def test_a_context_given_is_served_with_its_clock(redis: Redis, redis_url: str,
                                                  clock: ManualClock) -> None:
    context = AppContext.open(ingress_settings(redis_url), clock)
    with pytest.raises(ValueError, match="clock"):
        create_app(context.settings, context, clock)
    app = create_app(context.settings, context)
    with serve(app) as url, httpx.Client() as http:
        assert context_in(app.state) is context
        assert Ingress(url, http).signed(changed(), at=THEN).status_code == 202
