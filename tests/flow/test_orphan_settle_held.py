"""A stopped attempt's SMS whose message is no longer wanted, while Twilio's log cannot
be read: its job is retried, and settles it once the log answers.

Seen in the full soak: a worker killed after Twilio accepted an SMS; by the time its
message came round again the appointment had been confirmed, so nothing would send it
again (`bridge.sending.orphans`). Twilio's injected errors made the one lookup fail, and
the message was skipped with its SMS unrecorded: the customer had a text the bridge's
log did not name. Now the lookup is asked again after short pauses, and still failing,
its job is retried by RQ (the message, no longer planned, would never be dispatched
again); the retry records the SMS with Twilio's id.

Real servers: Redis, the booking and Twilio sandboxes; Twilio "unreachable" is a
client pointed at a closed port.
"""

from __future__ import annotations

from datetime import timedelta

from bridge.store.claims import STALE_SECONDS
from tests.flow.conftest import Flow
from tests.flow.test_redis_amnesia import unreachable_twilio
from tests.flow.test_replies import code_of
from tests.flow.test_sending import sent_unrecorded, to
from workers.deliver import deliver_batch


def test_an_unreadable_log_retries_until_the_sms_is_recorded(flow: Flow) -> None:
    appointment, message_id, message_keys, sid = sent_unrecorded(flow, "06-13131320")
    flow.api.confirm_appointment(appointment, code_of(flow, appointment))
    flow.clock.advance(timedelta(seconds=STALE_SECONDS + 1))

    recovery = flow.rt.sending.recovery
    readable, recovery.sms = recovery.sms, unreachable_twilio(flow)
    recovery.pause = lambda seconds: None
    result = deliver_batch(message_keys)
    assert result["retrying"] == 1  # not skipped: its job is retried
    assert [s for s in flow.skipped() if s["appointment"] == str(appointment)] == []

    recovery.sms = readable
    flow.run_jobs()  # the retry: the log answers now
    assert len(to(flow, "+31613131320")) == 1  # recorded, never sent again
    record = flow.rt.messages.get(message_id)
    assert record is not None and record.provider_id == sid
    assert flow.failed_jobs() == []
