"""`oabridge practices pause default` is the kill switch (#17): from that moment the
worker hands nothing to a provider, the due messages wait in the plan (no job fails,
none waits in RQ's retries), and after `resume` each goes out once, late rather than
never (today's catch-up rule for a message whose time passed)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bridge.cli.main import main
from bridge.domain.messages import MessageKind
from bridge.sending.holds import LONGEST_PAUSE
from bridge.store import keys
from tests.contract.helpers import book, bookable_slot, new_customer
from tests.flow.conftest import Flow


def test_paused_sends_nothing_and_resumed_sends_each_once(
        flow: Flow, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OABRIDGE_REDIS_URL", flow.settings.redis_url)
    appointment = book(flow.api, bookable_slot(
        flow.api, flow.clock.now().date() + timedelta(days=2)), new_customer(flow.api))
    flow.poll()
    reminder = next(m for m in flow.planned_for(appointment) if m.kind is MessageKind.REMINDER)
    assert main(["practices", "pause", "default"]) == 0
    flow.clock.set(reminder.send_at + timedelta(seconds=1))
    for _ in range(4):  # due, dispatched, held: again and again, nothing sent or failed
        flow.ticker.tick()
        flow.run_jobs()
        assert flow.twilio.wait_idle(10)
        assert reminder.key not in flow.sent_keys()
        assert flow.failed_jobs() == []
        assert flow.redis.zscore(keys.SCHEDULE, reminder.key) is not None
        flow.clock.advance(LONGEST_PAUSE)
    assert main(["practices", "resume", "default"]) == 0
    for _ in range(3):
        flow.clock.advance(LONGEST_PAUSE)
        flow.ticker.tick()
        flow.run_jobs()
        assert flow.twilio.wait_idle(10)
    assert flow.sent_keys().count(reminder.key) == 1
    assert flow.failed_jobs() == []
