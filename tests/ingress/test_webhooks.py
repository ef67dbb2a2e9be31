"""`POST /webhooks/booking`: signatures, validation, dedupe, limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from redis import Redis
from rq import Queue
from rq.serializers import JSONSerializer

from bridge.store import keys
from tests.ingress.conftest import STALE, Ingress, changed, relay_all


def sync_queue(redis: Redis) -> Queue:
    return Queue("sync", connection=redis, serializer=JSONSerializer)


def test_a_signed_notice_becomes_one_sync_job(ingress: Ingress, redis: Redis) -> None:
    answer = ingress.signed(changed(501, agenda_id=3))
    assert answer.status_code == 202
    job_id = answer.json()["job_id"]
    assert redis.llen(keys.INTAKE) == 1  # accepted; a worker's relay makes it a job
    assert relay_all(redis) == 1
    assert redis.llen(keys.INTAKE) == redis.llen(keys.INTAKE_PROCESSING) == 0
    queue = sync_queue(redis)
    assert queue.job_ids == [job_id]
    job = queue.fetch_job(job_id)
    assert job is not None
    assert job.func_name == "workers.sync.sync_appointment"
    assert job.args == [3, 501, None]
    assert job.retries_left and job.timeout


def test_the_same_webhook_id_is_enqueued_once(ingress: Ingress, redis: Redis) -> None:
    first = ingress.signed(changed(), webhook_id="msg_same")
    again = ingress.signed(changed(), webhook_id="msg_same")
    assert first.status_code == again.status_code == 202
    assert again.json() == {**first.json(), "duplicate": True}
    assert relay_all(redis) == 1
    assert len(sync_queue(redis).job_ids) == 1


def test_customer_notices_forget_the_customer(ingress: Ingress, redis: Redis) -> None:
    answer = ingress.signed({"type": "customer.changed", "data": {"customer_id": 10000001}})
    assert answer.status_code == 202
    relay_all(redis)
    job = sync_queue(redis).fetch_job(answer.json()["job_id"])
    assert job is not None and job.func_name == "workers.sync.forget_customer"


@pytest.mark.parametrize(
    ("secret", "shift", "reason"),
    [
        ("whsec_" + "d3Jvbmctc2VjcmV0LW9mLTMyLWJ5dGVzLWxlbmd0aCE=", None, "signature"),
        (None, -STALE, "too old"),
        (None, STALE, "too new"),
    ],
)
def test_bad_signatures_are_refused(
    ingress: Ingress, redis: Redis, secret: str | None, shift: timedelta | None, reason: str
) -> None:
    kwargs: dict[str, object] = {}
    if secret is not None:
        kwargs["secret"] = secret
    if shift is not None:  # timestamps taken now, not when the tests were collected
        kwargs["at"] = datetime.now(UTC) + shift
    answer = ingress.signed(changed(), **kwargs)  # type: ignore[arg-type]
    assert answer.status_code == 401
    assert reason in answer.json()["error"]
    assert sync_queue(redis).job_ids == [] and redis.llen(keys.INTAKE) == 0


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"webhook-id": "x", "webhook-timestamp": "1", "webhook-signature": "garbage"},
        {"webhook-id": "x", "webhook-timestamp": "now", "webhook-signature": "v1,AAAA"},
    ],
)
def test_missing_or_malformed_signature_headers(
    ingress: Ingress, redis: Redis, headers: dict[str, str]
) -> None:
    answer = ingress.http.post(f"{ingress.url}/webhooks/booking", json=changed(), headers=headers)
    assert answer.status_code == 401
    assert sync_queue(redis).job_ids == [] and redis.llen(keys.INTAKE) == 0


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ("{not json", "body"),
        ({"type": "appointment.moved", "data": {}}, "type"),
        ({"type": "appointment.changed", "data": {"agenda_id": 1}}, "data.appointment_id"),
        ({"type": "appointment.changed", "data": {"agenda_id": "1", "appointment_id": 2}},
         "data.agenda_id"),
        ({"type": "appointment.changed", "data": {"agenda_id": -1, "appointment_id": 2}},
         "data.agenda_id"),
        ({"type": "customer.changed", "data": {}}, "data.customer_id"),
        ([1, 2], "body"),
    ],
)
def test_signed_but_malformed_notices_name_the_field(
    ingress: Ingress, redis: Redis, payload: object, field: str
) -> None:
    answer = ingress.signed(payload)
    assert answer.status_code == 400
    assert answer.json()["error"].startswith(field + ":")
    assert sync_queue(redis).job_ids == [] and redis.llen(keys.INTAKE) == 0


def test_a_body_over_64_kib_is_refused(ingress: Ingress, redis: Redis) -> None:
    huge = {"type": "appointment.changed", "data": {"agenda_id": 1, "appointment_id": 1},
            "padding": "x" * 70_000}
    answer = ingress.signed(huge)
    assert answer.status_code == 413
    assert sync_queue(redis).job_ids == [] and redis.llen(keys.INTAKE) == 0


def test_wrong_method_is_405(ingress: Ingress) -> None:
    answer = ingress.http.get(f"{ingress.url}/webhooks/booking")
    assert answer.status_code == 405
    assert "error" in answer.json()
