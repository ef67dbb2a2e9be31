"""After a loss of Redis's memory, the questions to Twilio's log are asked once, not once
a message (#16): a batch of sends reads the log of the span once and finds what went out
before the loss there, and the inbound scan sets aside the replies the log shows
answered instead of queuing a job for each. In the full soak the lookups one by one
(352 cancellations read again, 81 replies found again) held both workers for a minute
and a half, and changes made meanwhile went unread.

Real Redis, the sandbox's Twilio API and real burst workers; the SMS client's two
lookups are only counted (each call goes through)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from bridge.outbound.sms import SmsSender
from bridge.store.claims import ORPHAN_SECONDS
from bridge.store.epoch import Epochs
from tests.flow.conftest import Flow
from tests.flow.test_redis_amnesia import (
    delivered_before_the_loss,
    forget,
    sms_out,
    step,
    twice,
    watched,
)
from tests.flow.test_sending import booked
from workers import replies

MakeFlow = Callable[..., Flow]


OURS = tuple(f"+316420000{index:02}" for index in range(12))


def counted(sms: SmsSender, calls: Counter[str], *names: str) -> None:
    """Count the calls of `names` on this client (a lookup: those about one of `OURS`;
    the sandbox's own appointments have messages too); each goes through."""
    for name in names:
        real = getattr(sms, name)

        def counting(*args: Any, _real: Any = real, _name: str = name, **kwargs: Any) -> Any:
            if _name != "find_matching" or args[0] in OURS:
                calls[_name] += 1
            return _real(*args, **kwargs)

        setattr(sms, name, counting)


def sends_after_the_loss(flow: Flow) -> Counter[str]:
    """Poll (the loss noticed, the window read again), then send once attempts from
    before the loss have surely ended; the SMS client's lookups counted meanwhile."""
    flow.poll()
    step(flow)
    flow.clock.advance(timedelta(seconds=ORPHAN_SECONDS + 1))
    sms = flow.rt.sending.sms
    assert sms is not None
    calls: Counter[str] = Counter()
    counted(sms, calls, "find_matching", "listed_since")
    step(flow)
    return calls


def ours(flow: Flow) -> list[tuple[str, str]]:
    return [(to, text) for to, text in sms_out(flow) if to in OURS]


def test_a_batch_after_the_loss_finds_what_went_out_in_one_read_of_the_log(
        flow: Flow) -> None:
    watched(flow)
    step(flow)
    for index in range(6):
        booked(flow, days=2, index=index, mobile_phone=f"06-420000{index:02}")
    flow.poll()
    step(flow)
    before = ours(flow)
    assert len(before) == 6  # six prompts

    forget(flow)
    watched(flow)
    calls = sends_after_the_loss(flow)  # the whole window read again: prompts planned

    assert ours(flow) == before and twice(sms_out(flow)) == []
    assert Epochs(flow.redis).counts()["found_sent"] >= 6
    assert calls["listed_since"] == 1  # one read for the batch
    assert calls["find_matching"] == 0  # and no lookup of its own for any message
    assert flow.failed_jobs() == []


def test_a_message_the_shared_read_does_not_hold_is_still_asked_about(flow: Flow) -> None:
    """Not found in the shared read proves nothing: the message's own lookup decides,
    and a message never sent goes out once."""
    watched(flow)
    step(flow)
    booked(flow, days=2, mobile_phone="06-42000010")
    flow.poll()
    step(flow)
    before = ours(flow)
    forget(flow)
    watched(flow)
    unsent = booked(flow, days=2, index=1, mobile_phone="06-42000011")
    calls = sends_after_the_loss(flow)

    after = ours(flow)
    assert [to for to, text in after if (to, text) not in before] == ["+31642000011"]
    assert twice(sms_out(flow)) == []
    assert calls["listed_since"] == 1 and calls["find_matching"] == 1
    assert any(m.appointment_id == unsent for m in flow.sent())


def test_the_inbound_scan_sets_aside_a_reply_answered_before_the_loss_itself(
        make_flow: MakeFlow) -> None:
    flow = make_flow()
    _, _, reply = delivered_before_the_loss(flow)
    answers_before = sms_out(flow)
    forget(flow)
    watched(flow)
    flow.run_jobs()  # a worker's ticker notices the loss (nothing queued yet)

    scan = replies.reconcile_inbound()

    assert scan["answered_before_loss"] == 1 and scan["recovered"] == 0
    found_again = flow.rt.inbound.get(reply)
    assert found_again is not None  # set aside by the scan: no job was queued for it
    assert found_again.state == "ignored:memory lost; may have been answered"
    assert Epochs(flow.redis).counts()["reply_skipped"] == 1
    flow.clock.advance(timedelta(seconds=ORPHAN_SECONDS + 1))
    step(flow)
    assert sms_out(flow) == answers_before  # the reply not answered again
    assert flow.failed_jobs() == []
