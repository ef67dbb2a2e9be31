"""Finding 5: ids are the booking API's integers, and a number is what the document says.

A 4,000-digit `agenda_id` was accepted and ended up in Redis keys, job arguments and
logs. Every id in every inbound body is now positive and at most 2**31 - 1, else 400.
The OpenAPI document allows `5783.0` (JSON Schema's integer is any number with a zero
fraction) and the routes refused it; they now take it as 5783, as documented.
Signed notices and authorised triggers over real HTTP, checked against the intake.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from redis import Redis

from bridge.http.app import create_app
from bridge.ingress.openapi import openapi_document
from bridge.store import keys
from tests.ingress.conftest import TRIGGER_TOKEN, Ingress, ingress_settings
from tests.support.asgi_server import serve

AUTH = {"authorization": f"Bearer {TRIGGER_TOKEN}"}
HUGE = int("9" * 4_000)
MAX = 2**31 - 1


@pytest.fixture
def ingress(redis: Redis, redis_url: str) -> Iterator[Ingress]:
    with serve(create_app(ingress_settings(redis_url))) as url, httpx.Client() as http:
        yield Ingress(url, http)


def intake_args(redis: Redis) -> list[list[object]]:
    return [json.loads(raw)["args"] for raw in redis.lrange(keys.INTAKE, 0, -1)]


def appointment(agenda_id: object, appointment_id: object = 501) -> str:
    data = f'"agenda_id": {agenda_id}, "appointment_id": {appointment_id}'
    return '{"type": "appointment.changed", "data": {' + data + "}}"


def customer(data: str) -> str:
    return '{"type": "customer.changed", "data": {' + data + "}}"


@pytest.mark.parametrize("value", [HUGE, 2**31, 2**63, 0, -1, 5783.5, '"5783"', "true"])
@pytest.mark.parametrize("field", ["agenda_id", "appointment_id"])
def test_an_id_outside_the_api_range_is_refused(
    ingress: Ingress, redis: Redis, value: object, field: str
) -> None:
    body = appointment(value, 501) if field == "agenda_id" else appointment(7, value)
    answer = ingress.signed(body)
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"].startswith(f"data.{field}:")
    assert "9999" not in answer.text and intake_args(redis) == []
    assert not [key for key in redis.keys("*") if b"9999" in key]


def test_a_customer_id_outside_the_range_is_refused(ingress: Ingress, redis: Redis) -> None:
    answer = ingress.signed(customer(f'"customer_id": {HUGE}'))
    assert answer.status_code == 400 and answer.json()["error"].startswith("data.customer_id:")
    agenda = ingress.signed(customer(f'"customer_id": 3, "agenda_id": {2**31}'))
    assert agenda.status_code == 400 and agenda.json()["error"].startswith("data.agenda_id:")
    assert intake_args(redis) == []


def test_the_largest_id_and_an_integral_float_are_accepted_as_ints(
    ingress: Ingress, redis: Redis
) -> None:
    assert ingress.signed(appointment(MAX, MAX)).status_code == 202
    assert ingress.signed(appointment("5783.0", "501.0")).status_code == 202
    assert sorted(intake_args(redis)) == [[5783, 501, None], [MAX, MAX, None]]
    assert all(type(arg) is int for args in intake_args(redis) for arg in args[:2])


def test_the_poll_trigger_bounds_its_agenda_id(ingress: Ingress, redis: Redis) -> None:
    url = f"{ingress.url}/triggers/poll"
    for value in (HUGE, 2**31, 0):
        refused = ingress.http.post(url, content=f'{{"agenda_id": {value}}}', headers=AUTH)
        assert refused.status_code == 400 and refused.json()["error"].startswith("agenda_id:")
    assert intake_args(redis) == []
    accepted = ingress.http.post(url, content='{"agenda_id": 5783.0}', headers=AUTH)
    assert accepted.status_code == 202 and accepted.json()["agenda_id"] == 5783
    assert intake_args(redis) == [[5783]]
    assert redis.exists(keys.poll_queued(5783))


def test_the_document_states_the_range_of_every_id() -> None:
    text = json.dumps(openapi_document())
    ids = [part for part in text.split('"minimum": 1')[1:]]
    assert ids and all(part.startswith(f', "maximum": {MAX}') for part in ids)
