"""The transport over real HTTP: retries, timeouts, odd answers, clock skew."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bridge.booking import BookingClient, RetryPolicy
from bridge.booking.errors import (
    BookingApiError,
    BookingAuthError,
    BookingNotFoundError,
    BookingProtocolError,
    BookingTransportError,
)
from bridge.booking.signing import sign
from bridge.booking.transport import Transport
from bridge.clock import ManualClock
from tests.support.asgi_server import serve

SECRET = "0" * 40
LOCAL_NOW = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)


def envelope(status: str, payload: str = "", timestamp: int | None = None, extra: str = "") -> str:
    stamp = f"<Timestamp>{timestamp}</Timestamp>" if timestamp is not None else ""
    return (
        f"<?xml version='1.0' encoding='UTF-8'?><Response><Status><APIVersion>1.0</APIVersion>"
        f"{stamp}<Status>{status}</Status>{extra}</Status>{payload}</Response>"
    )


class Script:
    """A stand-in server that answers from a list of planned replies, in order."""

    def __init__(self, replies: list[tuple[int, str]]) -> None:
        self.replies = replies
        self.requests: list[dict[str, str]] = []

    async def endpoint(self, request: Request) -> Response:
        self.requests.append(dict(request.query_params))
        status, body = self.replies.pop(0) if self.replies else (200, envelope("success"))
        if status == 0:  # hang past the client's timeout
            import anyio

            await anyio.sleep(1)
            status = 200
        return Response(body, status_code=status, media_type="text/xml")


@pytest.fixture
def script() -> Iterator[Script]:
    yield Script([])


@pytest.fixture
def client(script: Script) -> Iterator[BookingClient]:
    app = Starlette(routes=[Route("/APIREST", script.endpoint, methods=["GET"])])
    waits: list[float] = []
    with serve(app) as base:
        transport = Transport(
            f"{base}/APIREST",
            "demo-key",
            SECRET,
            timeout=0.3,
            clock=ManualClock(LOCAL_NOW),
            retry=RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.02),
            sleep=waits.append,  # record the backoff instead of sleeping
            rng=random.Random(1),
        )
        transport_client = BookingClient("unused", "", "", transport=transport)
        yield transport_client
        transport_client.close()


AGENDA = "<Agenda><Id>1</Id><IsDefault>1</IsDefault></Agenda>"


def test_requests_are_signed_get_queries(client: BookingClient, script: Script) -> None:
    script.replies = [(200, envelope("success", AGENDA))]
    assert client.get_agenda(1).id == 1
    query = script.requests[0]
    assert query["method"] == "getAgenda" and query["Id"] == "1"
    unsigned = {k: v for k, v in query.items() if k not in {"api_key", "api_salt", "api_signature"}}
    assert query["api_signature"] == sign(unsigned, SECRET, int(query["api_salt"]))
    assert query["api_key"] == "demo-key"


def test_server_errors_are_retried_then_succeed(client: BookingClient, script: Script) -> None:
    script.replies = [(503, "busy"), (502, "bad gateway"), (200, envelope("success", AGENDA))]
    assert client.get_agenda(1).id == 1
    assert len(script.requests) == 3


def test_retries_are_bounded(client: BookingClient, script: Script) -> None:
    script.replies = [(500, "x"), (500, "x"), (500, "x"), (200, envelope("success", AGENDA))]
    with pytest.raises(BookingTransportError, match="HTTP 500"):
        client.get_agenda(1)
    assert len(script.requests) == 3


def test_a_hanging_server_times_out_and_is_retried(client: BookingClient, script: Script) -> None:
    script.replies = [(0, ""), (200, envelope("success", AGENDA))]
    assert client.get_agenda(1).id == 1
    assert len(script.requests) == 2


def test_api_failures_are_never_retried(client: BookingClient, script: Script) -> None:
    script.replies = [
        (200, envelope("failed", extra="<Code>E1</Code><Message>Validation failed\n"
                       "Email: not a valid e-mail address</Message>")),
    ]
    with pytest.raises(BookingApiError) as caught:
        client.get_agenda(1)
    assert caught.value.code == "E1"
    assert caught.value.field_errors == ("Email: not a valid e-mail address",)
    assert len(script.requests) == 1


def test_not_found_is_its_own_error(client: BookingClient, script: Script) -> None:
    script.replies = [(200, envelope("failed", extra="<Message>Appointment not found</Message>"))]
    with pytest.raises(BookingNotFoundError):
        client.get_appointment(5)


def test_wrong_url_is_a_protocol_error_not_retried(client: BookingClient, script: Script) -> None:
    script.replies = [(404, "not here")]
    with pytest.raises(BookingProtocolError, match="HTTP 404"):
        client.get_agendas()
    assert len(script.requests) == 1


def test_salt_is_corrected_from_the_server_clock(client: BookingClient, script: Script) -> None:
    server_now = int(LOCAL_NOW.timestamp()) + 3600  # the server runs an hour ahead of us
    refused = envelope("failed", timestamp=server_now, extra="<Message>Salt expired</Message>")
    script.replies = [(200, refused), (200, envelope("success", AGENDA, timestamp=server_now))]
    assert client.get_agenda(1).id == 1
    first, second = (int(q["api_salt"]) for q in script.requests)
    assert first < server_now - 300
    assert server_now - 300 <= second <= server_now


def test_salt_refused_without_clock_news_is_an_auth_error(
    client: BookingClient, script: Script
) -> None:
    script.replies = [(200, envelope("failed", extra="<Message>Invalid signature</Message>"))]
    with pytest.raises(BookingAuthError):
        client.get_agendas()
    assert len(script.requests) == 1


def test_unreachable_api_is_a_transport_error() -> None:
    from tests.support.asgi_server import free_port

    dead = BookingClient(
        f"http://127.0.0.1:{free_port()}/APIREST",
        "k",
        SECRET,
        retry=RetryPolicy(attempts=2, base_delay=0.001, max_delay=0.001),
    )
    with pytest.raises(BookingTransportError):
        dead.get_agendas()
    dead.close()


def test_a_call_with_its_retries_has_a_documented_budget() -> None:
    assert RetryPolicy().call_budget(10.0) == 5 * 10.0 + 0.25 + 0.5 + 1.0
    assert RetryPolicy(attempts=1).call_budget(2.0) == 4.0
