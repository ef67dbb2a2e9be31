"""Listing messages: newest first, Twilio's paging envelope, filters, inbound direction."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from twilio.rest import Client

from sandbox.booking import DEMO_API_KEY, DEMO_API_SECRET, BookingSandbox
from sandbox.clock import ManualClock
from sandbox.server import SandboxServer
from sandbox.twilio import DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, DEMO_NUMBER, TwilioSandbox
from tests.sandbox.twilio.conftest import FAST_STEPS, twilio_client

PATIENT = "+31612345678"
OTHER = "+31687654321"
MESSAGES = f"/2010-04-01/Accounts/{DEMO_ACCOUNT_SID}/Messages.json"
META_KEYS = {
    "end", "first_page_uri", "next_page_uri", "page", "page_size", "previous_page_uri",
    "start", "uri",
}  # fmt: skip


def send(client: Client, count: int, to: str = PATIENT) -> list[str]:
    return [
        client.messages.create(to=to, from_=DEMO_NUMBER, body=f"m{i}").sid for i in range(count)
    ]


def test_list_is_newest_first_and_pages_with_limit(client: Client) -> None:
    sids = send(client, 7)
    newest_first = list(reversed(sids))
    assert [m.sid for m in client.messages.list(limit=5, page_size=2)] == newest_first[:5]
    assert [m.sid for m in client.messages.list(page_size=3)] == newest_first
    assert [m.sid for m in client.messages.stream(page_size=2)] == newest_first
    assert [m.sid for m in client.messages.list(limit=3)] == newest_first[:3]


def test_page_envelope(client: Client, http: httpx.Client) -> None:
    sids = list(reversed(send(client, 5)))
    first = http.get(MESSAGES, params={"PageSize": 2, "To": PATIENT}).json()
    assert set(first) == META_KEYS | {"messages"}
    assert [m["sid"] for m in first["messages"]] == sids[:2]
    assert (first["page"], first["page_size"], first["start"], first["end"]) == (0, 2, 0, 1)
    assert first["previous_page_uri"] is None
    assert first["uri"] == f"{MESSAGES}?To=%2B31612345678&PageSize=2&Page=0"
    assert first["first_page_uri"] == first["uri"]
    assert first["next_page_uri"].endswith(f"&Page=1&PageToken=PA{sids[1]}")

    second = http.get(first["next_page_uri"]).json()
    assert [m["sid"] for m in second["messages"]] == sids[2:4]
    assert (second["page"], second["start"], second["end"]) == (1, 2, 3)
    assert second["previous_page_uri"].endswith(f"&Page=0&PageToken=PB{sids[2]}")
    assert [m["sid"] for m in http.get(second["previous_page_uri"]).json()["messages"]] == sids[:2]

    last = http.get(second["next_page_uri"]).json()
    assert [m["sid"] for m in last["messages"]] == sids[4:]
    assert last["next_page_uri"] is None


def test_token_paging_is_stable_while_new_messages_arrive(
    client: Client, http: httpx.Client
) -> None:
    sids = list(reversed(send(client, 4)))
    first = http.get(MESSAGES, params={"PageSize": 2}).json()
    send(client, 3)  # newer messages land on page 0, not in the middle of the walk
    second = http.get(first["next_page_uri"]).json()
    assert [m["sid"] for m in second["messages"]] == sids[2:4]


def test_empty_list(http: httpx.Client) -> None:
    body = http.get(MESSAGES).json()
    assert body["messages"] == [] and body["next_page_uri"] is None
    assert (body["start"], body["end"], body["page_size"]) == (0, 0, 50)


@pytest.mark.parametrize("query", [{"PageSize": "0"}, {"PageSize": "1001"}, {"Page": "x"}])
def test_bad_paging_parameters(http: httpx.Client, query: dict[str, str]) -> None:
    response = http.get(MESSAGES, params=query)
    assert response.status_code == 400 and response.json()["code"] == 20001


def test_filter_by_to_and_from(client: Client, twilio_sandbox: TwilioSandbox) -> None:
    send(client, 2, PATIENT)
    send(client, 1, OTHER)
    assert {m.to for m in client.messages.list(to=OTHER)} == {OTHER}
    assert len(client.messages.list(to=PATIENT)) == 2
    assert len(client.messages.list(from_=DEMO_NUMBER)) == 3
    assert client.messages.list(from_="+15005550006") == []


def test_inbound_messages_are_listed_with_their_direction(
    client: Client, twilio_sandbox: TwilioSandbox
) -> None:
    send(client, 1)
    reply = twilio_sandbox.receive(PATIENT, "JA")
    listed = client.messages.list(to=DEMO_NUMBER)
    assert [(m.sid, m.direction, m.status, m.body) for m in listed] == [
        (reply["sid"], "inbound", "received", "JA")
    ]
    assert listed[0].from_ == PATIENT and listed[0].date_sent is not None
    assert {m.direction for m in client.messages.list()} == {"inbound", "outbound-api"}


START = datetime(2026, 10, 21, 9, 30, tzinfo=UTC)


@pytest.fixture
def dated() -> Iterator[tuple[Client, ManualClock, TwilioSandbox]]:
    """A sandbox on a manual clock: messages sent on two days, one never sent."""
    clock = ManualClock(START)
    booking = BookingSandbox(DEMO_API_KEY, DEMO_API_SECRET)
    with (
        TwilioSandbox(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, clock=clock, step_delay=FAST_STEPS) as tw,
        SandboxServer(booking, extra_routes=tw.routes()) as server,
    ):
        yield twilio_client(server.base_url), clock, tw
    booking.close()


def test_date_sent_filters(dated: tuple[Client, ManualClock, TwilioSandbox]) -> None:
    client, clock, sandbox = dated
    day_one = send(client, 2)
    assert sandbox.wait_idle()
    clock.advance(timedelta(days=1))
    day_two = send(client, 1)
    assert sandbox.wait_idle()
    sandbox.settings.step_delay = 60.0  # this one stays queued: no date_sent
    send(client, 1)

    def sids(**filters: object) -> set[str]:
        return {m.sid for m in client.messages.list(**filters)}

    assert sids(date_sent=date(2026, 10, 21)) == set(day_one)
    assert sids(date_sent=date(2026, 10, 22)) == set(day_two)
    assert sids(date_sent_before=date(2026, 10, 21)) == set(day_one)
    assert sids(date_sent_after=date(2026, 10, 21)) == set(day_one + day_two)
    assert sids(date_sent_after=START + timedelta(hours=1)) == set(day_two)
    assert sids(date_sent_before=START + timedelta(hours=1)) == set(day_one)
    assert sids(date_sent_after=date(2026, 10, 23)) == set()


def test_bad_date_filter(dated: tuple[Client, ManualClock, TwilioSandbox]) -> None:
    client = dated[0]
    response = client.request(
        "GET",
        client.api.base_url + MESSAGES,
        params={"DateSent>": "yesterday"},
    )
    assert response.status_code == 400
