"""One message's failure never fails its batch: each message that raises is queued on
its own, whatever it raised, and the others' outcomes are counted."""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass, field
from typing import Any, cast

import pytest

from bridge.booking import BookingAuthError, BookingTransportError
from bridge.rendering import RenderError
from bridge.sending import batch
from bridge.sending.batch import send_batch
from bridge.sending.delivery import Outcome
from bridge.sending.services import SendingServices

RAISES: dict[str, Exception] = {
    "upstream-down": BookingTransportError("timed out"),
    "refused": BookingAuthError("getAppointment", "1", "Invalid api key"),
    "a-bug": ZeroDivisionError("division by zero"),
    "unexpected-render": RenderError("nl/reminder.sms.j2", "'nickname' is undefined"),
}


class FakeDelivery:
    def __init__(self, sv: SendingServices) -> None:
        self.sv = sv

    def deliver(self, key: str) -> list[Outcome]:
        if key in RAISES:
            raise RAISES[key]
        return [Outcome(key, "sent", "sms")]


@dataclass
class FakePlans:
    def correlation(self, key: str) -> str | None:
        return f"cid-{key}"


class FakeRecovery:
    """No loss: nothing to share (`Recovery.sharing_sent_log`)."""

    def sharing_sent_log(self) -> contextlib.nullcontext[None]:
        return contextlib.nullcontext()


@dataclass
class FakeServices:
    recovery: FakeRecovery = field(default_factory=FakeRecovery)
    plans: FakePlans = field(default_factory=FakePlans)
    concurrency: int = 4
    queued: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def retry_later(self, key: str) -> None:
        with self.lock:
            self.queued.append(key)

    def paused(self) -> bool:  # a live practice (the paused one: test_practice_pause)
        return False


@pytest.fixture(autouse=True)
def fake_delivery(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch, "Delivery", FakeDelivery)


def test_every_failing_message_is_queued_alone_and_the_others_are_sent() -> None:
    sv = FakeServices()
    keys = ["a", "upstream-down", "b", "refused", "c", "a-bug", "unexpected-render", "d"]
    result: dict[str, Any] = send_batch(cast(SendingServices, sv), keys)
    assert sorted(sv.queued) == sorted(RAISES)
    assert result == {
        "messages": 8, "retrying": 4, "held": 0, "outcomes": {"sent": 4},
        "errors": {"BookingTransportError": 1, "BookingAuthError": 1,
                   "ZeroDivisionError": 1, "RenderError": 1},
    }


def test_a_batch_of_good_messages_queues_nothing() -> None:
    sv = FakeServices()
    result = send_batch(cast(SendingServices, sv), ["a", "b"])
    assert sv.queued == [] and result["outcomes"] == {"sent": 2}
