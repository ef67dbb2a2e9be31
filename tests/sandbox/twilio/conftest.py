"""Fixtures: a Twilio sandbox served over real HTTP, the official `twilio` client pointed
at it (exactly as sandbox/README.md shows), and a webhook receiver.

One server per test module (starting and stopping uvicorn is the slow part); the
sandbox behind it is `reset()` before every test, so tests do not see each other.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from twilio.rest import Client

from sandbox.booking import DEMO_API_KEY, DEMO_API_SECRET, BookingSandbox
from sandbox.server import SandboxServer
from sandbox.twilio import DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, TwilioSandbox
from tests.sandbox.twilio.receiver import Receiver
from tests.support.asgi_server import serve

FAST_STEPS = 0.002  # seconds between statuses: tests wait for events, never for time


def twilio_client(base_url: str, token: str = DEMO_AUTH_TOKEN, **kwargs: str) -> Client:
    """The README's recipe: a normal Client whose API domain points at the sandbox."""
    client = Client(DEMO_ACCOUNT_SID, token, **kwargs)
    client.api.base_url = base_url
    return client


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[TwilioSandbox, SandboxServer]]:
    booking = BookingSandbox(DEMO_API_KEY, DEMO_API_SECRET)
    with (
        TwilioSandbox(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, step_delay=FAST_STEPS) as sandbox,
        SandboxServer(booking, extra_routes=sandbox.routes()) as server,
    ):
        yield sandbox, server
    booking.close()


@pytest.fixture
def twilio_sandbox(served: tuple[TwilioSandbox, SandboxServer]) -> Iterator[TwilioSandbox]:
    sandbox = served[0]
    sandbox.reset()
    yield sandbox
    sandbox.reset()


@pytest.fixture
def server(
    served: tuple[TwilioSandbox, SandboxServer], twilio_sandbox: TwilioSandbox
) -> SandboxServer:
    return served[1]


@pytest.fixture
def client(server: SandboxServer) -> Client:
    return twilio_client(server.base_url)


@pytest.fixture
def http(server: SandboxServer) -> Iterator[httpx.Client]:
    """Plain HTTP to the sandbox, authenticated like Twilio's API wants."""
    with httpx.Client(
        base_url=server.base_url, auth=(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN), trust_env=False
    ) as session:
        yield session


@pytest.fixture(scope="module")
def _receiver_server() -> Iterator[Receiver]:
    hooks = Receiver()
    with serve(hooks.app()) as url:
        hooks.base_url = url
        yield hooks


@pytest.fixture
def receiver(_receiver_server: Receiver) -> Receiver:
    _receiver_server.reset()
    return _receiver_server
