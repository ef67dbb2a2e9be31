"""A lookup in Twilio's log after a loss is made again after short pauses before the
send is held back (#16, seen in the soak: one list page in a few dozen answered 429 or
5xx held a reminder due 30 s before its appointment back past the start)."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest
from redis import Redis

from bridge.outbound.errors import SendHeldBack
from bridge.outbound.sms import SmsSender
from bridge.sending.recovery import LOOKUP_PAUSES
from sandbox.clock import ManualClock
from sandbox.server import SandboxServer
from sandbox.twilio import TwilioSandbox
from tests.sending.test_recovery import NOW, recovery, sender, served  # noqa: F401


def closed_port() -> int:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        return int(closed.getsockname()[1])


@pytest.fixture
def clock(served: tuple[TwilioSandbox, SandboxServer, ManualClock]) -> ManualClock:  # noqa: F811
    served[0].reset()
    served[2].set(NOW)
    return served[2]


def test_a_lookup_that_fails_is_asked_again_and_finds_the_sms(
        redis: Redis, clock: ManualClock,
        served: tuple[TwilioSandbox, SandboxServer, ManualClock]) -> None:  # noqa: F811
    working = sender(served[1].base_url)
    working.send("+31612345678", "Herinnering: morgen om 10:00.", None)
    watcher = recovery(redis, clock, sender(f"http://127.0.0.1:{closed_port()}"))
    waited: list[float] = []

    def pause(seconds: float) -> None:  # Twilio answers again after the first pause
        waited.append(seconds)
        watcher.sms = working

    watcher.pause = pause
    found = watcher.find_sent("+31612345678", lambda body: body.startswith("Herinnering"),
                              NOW - timedelta(minutes=1))
    assert found is not None and waited == [LOOKUP_PAUSES[0]]


def test_a_lookup_that_keeps_failing_holds_the_send_back_after_every_pause(
        redis: Redis, clock: ManualClock) -> None:
    watcher = recovery(redis, clock, SmsSender(
        "AC" + "0" * 32, "token", sender="+3197010000000",
        base_url=f"http://127.0.0.1:{closed_port()}"))
    waited: list[float] = []
    watcher.pause = waited.append
    with pytest.raises(SendHeldBack, match="sent before the memory was lost"):
        watcher.find_sent("+31612345678", lambda body: True, NOW - timedelta(minutes=1))
    assert waited == list(LOOKUP_PAUSES)
