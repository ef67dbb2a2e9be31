"""A dead attempt's SMS is settled by its own SMS at Twilio, never by another message's
with the same text.

Seen in the full soak (workers killed every few seconds after an amnesia): the 90 s
reminder's attempt died mid-send; while its claim waited to be judged, the 30 s
reminder of the same appointment went out. Judging the claim asked Twilio for an SMS
to the number with the reminder's text since the claim, found the 30 s one's, and
recorded the 90 s reminder as sent with it: the customer got one reminder of two.

Real servers: Redis, the booking and Twilio sandboxes; the dead worker is a claim
made under another holder whose alive key never existed, judged once
`ORPHAN_SECONDS` old.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from bridge.domain.messages import MessageKind
from bridge.store.claims import ORPHAN_SECONDS
from tests.flow.conftest import Flow
from tests.flow.test_sending import booked, dead_workers_claim, to
from workers.deliver import deliver_batch

MakeFlow = Callable[..., Flow]


def test_a_stale_claim_is_not_settled_by_the_other_reminders_sms(make_flow: MakeFlow) -> None:
    flow = make_flow(OABRIDGE_REMINDER_OFFSETS="90s,30s")
    flow.ticker.tick()
    flow.run_jobs()
    appointment = booked(flow, days=1, mobile_phone="06-14141414")
    flow.poll()
    assert flow.twilio.wait_idle(10)
    reminders = {m.variant: m for m in flow.planned_for(appointment)
                 if m.kind is MessageKind.REMINDER}
    early, late = reminders["90s"], reminders["30s"]
    assert early.send_at < late.send_at
    flow.clock.set(early.send_at + timedelta(seconds=1))
    dead_workers_claim(flow, f"{early.key}:sms")  # its attempt dies before Twilio
    flow.clock.set(max(late.send_at, early.send_at + timedelta(seconds=ORPHAN_SECONDS + 1)))
    sent_before = len(to(flow, "+31614141414"))

    deliver_batch([late.key])  # the 30 s reminder goes out meanwhile
    assert flow.twilio.wait_idle(10)
    deliver_batch([early.key])  # the stale claim is judged: Twilio has no SMS of its own
    assert flow.twilio.wait_idle(10)

    assert len(to(flow, "+31614141414")) == sent_before + 2
    records = [flow.rt.messages.get(f"{m.key}:sms") for m in (early, late)]
    assert all(r is not None and r.provider_id for r in records)
    assert records[0].provider_id != records[1].provider_id  # type: ignore[union-attr]
    assert flow.failed_jobs() == []
