"""Finding 5: a stream of valid poll triggers runs one poll per agenda per interval.

The trigger's claim lasts only while its poll waits in the queue, and a worker takes
it within milliseconds: 300 valid triggers in a row ran 88 polls, each a call to the
booking API. Now a trigger within 10 s (by the app's clock) of the poll a trigger
queued for the same agenda is coalesced into it: 202, `coalesced: true`, that poll's
job id, nothing queued. Real HTTP, Redis and a manual clock; between triggers, the
poll "starts" as a worker's would (its claim released), as fast as a worker can.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from redis import Redis

from bridge.clock import ManualClock
from bridge.http.app import create_app
from bridge.store import keys
from bridge.store.periodic_claims import PeriodicClaims
from tests.ingress.conftest import TRIGGER_TOKEN, ingress_settings
from tests.support.asgi_server import serve

AUTH = {"authorization": f"Bearer {TRIGGER_TOKEN}"}
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def trigger(redis: Redis, redis_url: str, clock: ManualClock) -> Iterator[httpx.Client]:
    app = create_app(ingress_settings(redis_url), clock=clock)
    with serve(app) as url, httpx.Client(base_url=url, headers=AUTH) as http:
        yield http


def queued_polls(redis: Redis) -> list[tuple[int, str]]:
    entries = [json.loads(raw) for raw in redis.lrange(keys.INTAKE, 0, -1)]
    return sorted((entry["args"][0], entry["id"]) for entry in entries)


def poll_starts(redis: Redis, agenda_id: int) -> None:
    """What a poll job does first: release its claim, so the next may be queued."""
    PeriodicClaims(redis).release(keys.poll_queued(agenda_id))


def test_300_triggers_in_a_row_queue_one_poll(trigger: httpx.Client, redis: Redis) -> None:
    answers = []
    for _ in range(300):
        answers.append(trigger.post("/triggers/poll", json={"agenda_id": 7}))
        poll_starts(redis, 7)
    assert {answer.status_code for answer in answers} == {202}
    first, rest = answers[0].json(), [answer.json() for answer in answers[1:]]
    assert first["coalesced"] is False and first["already_queued"] is False
    assert all(body["coalesced"] and body["job_id"] == first["job_id"] for body in rest)
    assert queued_polls(redis) == [(7, first["job_id"])]


def test_the_interval_is_per_agenda_and_by_the_apps_clock(
    trigger: httpx.Client, redis: Redis, clock: ManualClock
) -> None:
    first = trigger.post("/triggers/poll", json={"agenda_id": 7}).json()
    other = trigger.post("/triggers/poll", json={"agenda_id": 8}).json()
    every = trigger.post("/triggers/poll").json()
    assert not (first["coalesced"] or other["coalesced"] or every["coalesced"])
    poll_starts(redis, 7)
    clock.advance(timedelta(seconds=9))
    assert trigger.post("/triggers/poll", json={"agenda_id": 7}).json()["coalesced"]
    clock.advance(timedelta(seconds=1))
    later = trigger.post("/triggers/poll", json={"agenda_id": 7}).json()
    assert later["coalesced"] is False and later["job_id"] != first["job_id"]
    assert [agenda for agenda, _ in queued_polls(redis)] == [0, 7, 7, 8]


def test_a_trigger_while_its_poll_is_still_queued_names_that_poll(
    trigger: httpx.Client, redis: Redis, clock: ManualClock
) -> None:
    first = trigger.post("/triggers/poll", json={"agenda_id": 7}).json()
    clock.advance(timedelta(seconds=30))  # past the interval, the poll not yet started
    again = trigger.post("/triggers/poll", json={"agenda_id": 7}).json()
    assert again["already_queued"] and again["job_id"] == first["job_id"]
    coalesced = trigger.post("/triggers/poll", json={"agenda_id": 7}).json()
    assert coalesced["coalesced"] and coalesced["job_id"] == first["job_id"]
    assert len(queued_polls(redis)) == 1
