"""The HTTP layer: `/APIREST` over GET and POST, `/_sandbox/*`, and a real server."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import httpx
import pytest
from defusedxml import ElementTree
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from sandbox.app import create_app
from sandbox.booking import DEMO_API_KEY, DEMO_API_SECRET, BookingSandbox
from sandbox.clock import ManualClock, SystemClock
from sandbox.server import SandboxServer
from tests.sandbox.testkit import AGENDA, ZOE, Api, sign

if TYPE_CHECKING:
    from starlette.testclient import TestClient
else:
    with warnings.catch_warnings():
        # Starlette 1.x prefers the httpx2 package for its TestClient; until the project
        # depends on it, the httpx fallback works and its deprecation notice is expected.
        warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
        from starlette.testclient import TestClient


@pytest.fixture
def client(booking: BookingSandbox) -> Iterator[TestClient]:
    with TestClient(create_app(booking)) as test_client:
        yield test_client


def status_of(body: str) -> str:
    return ElementTree.fromstring(body.encode()).findtext("Status/Status") or ""


@pytest.mark.parametrize("path", ["/APIREST", "/APIREST/"])
def test_get_with_and_without_slash(client: TestClient, api: Api, path: str) -> None:
    response = client.get(path, params=api.signed("getCustomer", Id=ZOE))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/xml")
    assert status_of(response.text) == "success"
    assert "Zoë" in response.text


def test_post_form_body(client: TestClient, api: Api) -> None:
    response = client.post("/APIREST", data=api.signed("getCustomer", Id=ZOE))
    assert status_of(response.text) == "success"


def test_query_and_body_are_merged(client: TestClient, api: Api) -> None:
    params = api.signed("getAppointments", AgendaId=AGENDA, Limit=2)
    query = {k: params.pop(k) for k in ("api_key", "api_salt", "api_signature")}
    response = client.post("/APIREST/", params=query, data=params)
    assert status_of(response.text) == "success"
    assert "<Limit>2</Limit>" in response.text


def test_url_encoded_values_are_signed_decoded(client: TestClient, api: Api) -> None:
    response = client.get(
        "/APIREST", params=api.signed("getCustomers", Email="zoe.dejong@example.com")
    )
    assert "<Records>1</Records>" in response.text


def test_failures_are_http_200(client: TestClient) -> None:
    response = client.get("/APIREST", params={"method": "getAgendas"})
    assert response.status_code == 200
    assert status_of(response.text) == "failed"
    assert client.get("/APIREST?api_key=%FF&method=%C3%28").status_code == 200
    assert (
        client.post(
            "/APIREST",
            content=b"\xff=\xfe&&=",
            headers={"content-type": "application/x-www-form-urlencoded"},
        ).status_code
        == 200
    )


def test_outbox_endpoint(client: TestClient) -> None:
    entries = client.get("/_sandbox/outbox").json()
    assert {"appointment_id", "customer_id", "code", "channel", "recipient", "sent_at"} == set(
        entries[0]
    )
    assert [e["code"] for e in entries] == ["K7M3QP", "R4TW9X", "H8N2CE"]


def test_clock_endpoints(client: TestClient, clock: ManualClock) -> None:
    assert client.get("/_sandbox/clock").json() == {"now": "2026-10-21T08:00:00+00:00"}
    moved = client.put("/_sandbox/clock", json={"now": "2026-10-26T09:00:00+01:00"})
    assert moved.json() == {"now": "2026-10-26T08:00:00+00:00"}
    assert clock.now() == datetime(2026, 10, 26, 8, 0, tzinfo=UTC)
    advanced = client.put("/_sandbox/clock", json={"advance_seconds": 90})
    assert advanced.json() == {"now": "2026-10-26T08:01:30+00:00"}


@pytest.mark.parametrize(
    "body",
    [
        {"now": "2026-10-26T09:00:00"},
        {"now": "tomorrow"},
        {"advance_seconds": "5"},
        {"advance_seconds": True},
        {},
        ["now"],
    ],
)
def test_clock_rejects_bad_input(client: TestClient, body: object) -> None:
    response = client.put("/_sandbox/clock", json=body)
    assert response.status_code == 400
    assert "error" in response.json()


def test_system_clock_cannot_be_moved() -> None:
    booking = BookingSandbox(DEMO_API_KEY, DEMO_API_SECRET, clock=SystemClock())
    with TestClient(create_app(booking)) as client:
        assert client.put("/_sandbox/clock", json={"advance_seconds": 1}).status_code == 409


def test_settings_endpoint(client: TestClient, booking: BookingSandbox) -> None:
    response = client.put("/_sandbox/settings", json={"requires_confirmation": False})
    assert response.json() == {"requires_confirmation": False}
    assert booking.requires_confirmation is False
    assert client.put("/_sandbox/settings", json={"requires_confirmation": "no"}).status_code == 400
    assert client.put("/_sandbox/settings", content=b"{").status_code == 400


def test_health(client: TestClient) -> None:
    assert client.get("/_sandbox/health").json() == {"status": "ok"}


def test_extra_routes_can_be_mounted(booking: BookingSandbox) -> None:
    async def hello(request: object) -> PlainTextResponse:
        return PlainTextResponse("twilio")

    app = create_app(booking, [Route("/2010-04-01/Accounts", hello)])
    with TestClient(app) as client:
        assert client.get("/2010-04-01/Accounts").text == "twilio"
        assert client.get("/_sandbox/health").status_code == 200


def test_real_server_round_trip(clock: ManualClock) -> None:
    booking = BookingSandbox(DEMO_API_KEY, DEMO_API_SECRET, clock=clock)
    with SandboxServer(booking) as server:
        assert server.booking is booking
        assert server.api_url == server.base_url + "/APIREST"
        assert server.port > 0
        params = {
            "method": "getAgenda",
            "Id": str(AGENDA),
            "api_key": DEMO_API_KEY,
            "api_salt": str(int(clock.now().timestamp())),
        }
        params["api_signature"] = sign(params, DEMO_API_SECRET, params["api_salt"])
        response = httpx.get(server.api_url, params=params)
        assert status_of(response.text) == "success"
        assert "Fysiotherapie De Linde" in response.text
        posted = httpx.post(server.api_url + "/", data=params)
        assert status_of(posted.text) == "success"
        httpx.put(server.base_url + "/_sandbox/clock", json={"advance_seconds": 3600})
        assert clock.now() == datetime(2026, 10, 21, 9, 0, tzinfo=UTC)
        base_url = server.base_url
    with pytest.raises(httpx.TransportError):
        httpx.get(base_url + "/_sandbox/health", timeout=1.0)
