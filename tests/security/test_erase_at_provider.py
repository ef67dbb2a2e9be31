"""Issue #15, finding 1: `oabridge erase --at-provider` deletes the person's messages at
Twilio too (the sandbox's Messages API over real HTTP, DELETE answered 204), and says,
by SID and with a non-zero exit status, what it could not delete (20009: not final)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from bridge.store import keys
from sandbox.twilio import DEMO_NUMBER
from tests.flow.conftest import Flow, make_flow  # noqa: F401  (the fixture)
from tests.flow.test_replies import prompted, reply, started
from tests.security.erasing import at_twilio, erase, traces
from workers import replies

pytestmark = pytest.mark.slow

MakeFlow = Callable[..., Flow]
Capture = pytest.CaptureFixture[str]
#: What `oabridge erase` exits with when something was left (its module docstring).
INCOMPLETE = 3


@pytest.fixture
def flow(make_flow: MakeFlow) -> Flow:  # noqa: F811
    return started(make_flow())


def test_the_persons_messages_are_deleted_at_twilio(
    flow: Flow, monkeypatch: pytest.MonkeyPatch, capsys: Capture
) -> None:
    prompted(flow, "06-21000060")
    reply(flow, "+31621000060", "hoe laat?")
    flow.twilio.inbound("+31621000060", "STOP", deliver=False)  # the bridge never saw it
    assert flow.twilio.wait_idle(10)
    mine = at_twilio(flow, "+31621000060")
    assert len(mine) == 5  # prompt, reply, answer, STOP and Twilio's own answer to it
    prompted(flow, "06-21000061")
    others = at_twilio(flow, "+31621000061")

    status, out = erase(flow, monkeypatch, capsys, "--phone", "+31621000060", "--at-provider")
    assert status == 0, out
    assert "at Twilio: 5 messages deleted" in out and "NOT" not in out
    assert "+31621000060" not in out  # masked, as everywhere
    assert at_twilio(flow, "+31621000060") == []
    assert at_twilio(flow, "+31621000061") == others  # nobody else's
    flow.clock.advance(timedelta(seconds=flow.settings.inbound_reconcile_interval))
    replies.reconcile_inbound()
    flow.run_jobs()
    assert traces(flow.redis, "+31621000060", "31621000060") == []


def test_what_twilio_cannot_delete_yet_is_reported(
    flow: Flow, monkeypatch: pytest.MonkeyPatch, capsys: Capture
) -> None:
    prompted(flow, "06-21000062")
    assert flow.twilio.wait_idle(10)
    flow.twilio.settings.step_delay = 3600.0  # the next one stays queued at Twilio
    pending = flow.twilio.create_message(
        {"To": "+31621000062", "From": DEMO_NUMBER, "Body": "Nog onderweg"})

    status, out = erase(flow, monkeypatch, capsys, "--phone", "+31621000062", "--at-provider")
    assert status == INCOMPLETE
    assert "1 messages deleted, 1 NOT deleted" in out
    assert f"{pending['sid']}: not in a final state yet (Twilio 20009)" in out
    assert [m["sid"] for m in at_twilio(flow, "+31621000062")] == [pending["sid"]]
    assert traces(flow.redis, "+31621000062", "31621000062") == []  # erased here all the same


def test_erase_by_customer_id_at_twilio_without_a_cached_contact(
    flow: Flow, monkeypatch: pytest.MonkeyPatch, capsys: Capture
) -> None:
    appointment = prompted(flow, "06-21000063")
    reply(flow, "+31621000063", "hoe laat?")
    customer = flow.api.get_appointment(appointment).customer_id
    flow.redis.delete(keys.customer_cache(customer or 0))
    status, out = erase(flow, monkeypatch, capsys, "--customer", str(customer), "--at-provider")
    assert status == 0, out
    assert at_twilio(flow, "+31621000063") == []


def test_without_twilio_configured_nothing_is_deleted_and_it_says_so(
    make_flow: MakeFlow, monkeypatch: pytest.MonkeyPatch, capsys: Capture  # noqa: F811
) -> None:
    flow = started(make_flow(OABRIDGE_TWILIO_ACCOUNT_SID=""))
    status, out = erase(flow, monkeypatch, capsys, "--phone", "+31621000064", "--at-provider")
    assert status == INCOMPLETE
    assert "Twilio is not configured" in out
