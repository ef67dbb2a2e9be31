"""Triggers, health, metrics, the OpenAPI document and refusing to start unsigned."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from redis import Redis
from rq import Queue
from rq.serializers import JSONSerializer

from bridge.domain.plan import PlanSettings
from bridge.http.app import create_app
from bridge.ingress.routes import ROUTES
from bridge.settings import SettingsError, load_settings
from bridge.store import keys
from bridge.store.counters import Counters
from bridge.store.message_log import MessageLog, MessageRecord
from bridge.store.plan_store import PlanStore
from bridge.store.sync_state import SyncState
from tests.domain.builders import snapshot
from tests.ingress.conftest import TRIGGER_TOKEN, Ingress, changed, ingress_settings, relay_all
from tests.support.asgi_server import free_port, serve

AUTH = {"authorization": f"Bearer {TRIGGER_TOKEN}"}


def poll_queue(redis: Redis) -> Queue:
    return Queue("poll", connection=redis, serializer=JSONSerializer)


def test_poll_trigger_needs_the_token(ingress: Ingress, redis: Redis) -> None:
    url = f"{ingress.url}/triggers/poll"
    assert ingress.http.post(url).status_code == 401
    wrong = ingress.http.post(url, headers={"authorization": "Bearer nope"})
    assert wrong.status_code == 401
    assert poll_queue(redis).job_ids == [] and redis.llen(keys.INTAKE) == 0


def test_a_queued_poll_is_not_queued_twice(ingress: Ingress, redis: Redis) -> None:
    url = f"{ingress.url}/triggers/poll"
    first = ingress.http.post(url, json={"agenda_id": 7}, headers=AUTH)
    again = ingress.http.post(url, json={"agenda_id": 7}, headers=AUTH)
    other = ingress.http.post(url, json={"agenda_id": 8}, headers=AUTH)
    every = ingress.http.post(url, headers=AUTH)
    assert first.status_code == again.status_code == other.status_code == every.status_code == 202
    assert again.json()["already_queued"] and again.json()["job_id"] == first.json()["job_id"]
    assert relay_all(redis) == 3
    jobs = [poll_queue(redis).fetch_job(i) for i in poll_queue(redis).job_ids]
    assert sorted(job.args[0] for job in jobs if job) == [0, 7, 8]


@pytest.mark.parametrize(("body", "field"), [("[", "body"), ('{"agenda_id": "x"}', "agenda_id"),
                                             ('{"agenda": 1}', "agenda")])
def test_bad_trigger_bodies(ingress: Ingress, body: str, field: str) -> None:
    answer = ingress.http.post(f"{ingress.url}/triggers/poll", content=body, headers=AUTH)
    assert answer.status_code == 400
    assert answer.json()["error"].startswith(field)


def test_health_readiness_and_metrics(ingress: Ingress, redis: Redis) -> None:
    assert ingress.http.get(f"{ingress.url}/healthz").json() == {"status": "ok"}
    assert ingress.http.get(f"{ingress.url}/readyz").status_code == 200
    ingress.signed(changed())
    text = ingress.http.get(f"{ingress.url}/metrics").text
    assert 'oabridge_jobs_enqueued_total{job="sync_appointment"} 1.0' in text
    assert "oabridge_http_requests_total" in text
    assert "oabridge_intake_depth 1.0" in text
    assert 'oabridge_queue_depth{queue="sync"} 0.0' in text
    assert relay_all(redis) == 1
    text = ingress.http.get(f"{ingress.url}/metrics").text
    assert "oabridge_intake_depth 0.0" in text
    assert 'oabridge_queue_depth{queue="sync"} 1.0' in text
    assert 'oabridge_queue_depth{queue="replies"} 0.0' in text


def test_metrics_show_what_every_process_counts_in_redis(ingress: Ingress, redis: Redis) -> None:
    """Read through the stores that own those counts, with the names and labels the
    dashboards use."""
    now = datetime.now(UTC)
    PlanStore(redis).observe([snapshot()], PlanSettings.default(), now)
    log = MessageLog(redis, 3600)
    log.open(MessageRecord("k:sms", "k", 7, "reminder", "sms", "+31612345678", "claimed"), now)
    log.advance("k:sms", "sent", now)
    counters = Counters(redis)
    counters.reply_intent("confirm")
    counters.reply_intent("confirm")
    counters.upstream_error("BookingAuthError")
    SyncState(redis).polled(4, 1, now - timedelta(hours=1))
    text = ingress.http.get(f"{ingress.url}/metrics").text
    assert 'oabridge_events{type="created"} 1.0' in text
    assert 'oabridge_messages{status="sent"} 1.0' in text
    assert 'oabridge_reply_intents{intent="confirm"} 2.0' in text
    assert 'oabridge_upstream_errors{kind="BookingAuthError"} 1.0' in text
    lag = re.search(r'^oabridge_poll_lag_seconds\{agenda="4"\} (\S+)$', text, re.MULTILINE)
    assert lag is not None and 3600 <= float(lag.group(1)) < 3660


def test_openapi_document_lists_every_route(ingress: Ingress) -> None:
    document = ingress.http.get(f"{ingress.url}/openapi.json").json()
    assert document["openapi"].startswith("3.")
    assert {route.path for route in ROUTES} <= set(document["paths"])


def test_redis_down_is_503_not_500(redis: Redis) -> None:
    settings = ingress_settings(f"redis://127.0.0.1:{free_port()}/0")
    with serve(create_app(settings)) as url, httpx.Client() as http:
        from tests.ingress.conftest import Ingress as Client

        answer = Client(url, http).signed(changed())
        assert answer.status_code == 503
        assert "Redis" in answer.json()["error"]
        assert http.get(f"{url}/readyz").status_code == 503
        assert http.get(f"{url}/healthz").status_code == 200


def test_refuses_to_start_without_a_webhook_secret(redis_url: str) -> None:
    with pytest.raises(SettingsError, match="OABRIDGE_WEBHOOK_SECRET"):
        create_app(load_settings({"OABRIDGE_REDIS_URL": redis_url}))
    sandbox = load_settings({"OABRIDGE_REDIS_URL": redis_url, "OABRIDGE_SANDBOX_MODE": "1"})
    assert create_app(sandbox) is not None
