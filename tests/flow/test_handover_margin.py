"""The start is checked again just before the provider call (`HANDOVER_MARGIN`): what
comes before the call (a lookup in Twilio's log after a loss, a dead attempt's claim
settled) can take seconds, and a message checked before the start was accepted after
it in the full soak."""

from __future__ import annotations

from datetime import timedelta

from bridge.domain.messages import MessageKind
from bridge.sending.still_wanted import HANDOVER_MARGIN
from tests.flow.conftest import Flow
from tests.flow.test_redis_amnesia import MakeFlow
from tests.flow.test_sending import booked


def test_a_reminder_that_would_reach_the_provider_at_the_start_is_skipped(
        make_flow: MakeFlow) -> None:
    flow: Flow = make_flow(OABRIDGE_REMINDER_OFFSETS="1s,10s")
    flow.ticker.tick()
    appointment = booked(flow, days=2, mobile_phone="06-41000061")
    flow.poll()
    reminders = {m.variant: m for m in flow.planned_for(appointment)
                 if m.kind is MessageKind.REMINDER}
    start = reminders["1s"].start
    assert reminders["1s"].send_at == start - timedelta(seconds=1) < start
    flow.clock.set(reminders["10s"].send_at)  # 10 s ahead: goes
    flow.ticker.tick()
    flow.run_jobs()
    flow.clock.set(reminders["1s"].send_at)  # within the margin: checked, not handed over
    assert start - flow.clock.now() < HANDOVER_MARGIN
    flow.ticker.tick()
    flow.run_jobs()
    assert flow.twilio.wait_idle(10)
    sent = [r.message_key for r in flow.sent()
            if r.appointment_id == appointment and r.kind == "reminder"]
    assert sent == [reminders["10s"].key]
    skips = {(s["variant"], s["channel"], s["reason"]) for s in flow.skipped()
             if s["appointment"] == str(appointment) and s["kind"] == "reminder"}
    assert ("1s", "sms", "appointment_started") in skips
    assert flow.failed_jobs() == []
