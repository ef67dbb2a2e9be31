"""Redis forgets (#16), then an appointment moves back to a start announced before.

Seen in the full soak: an appointment moved to 03:41 (announced), to 03:40 (announced),
Redis lost its data, and after the recovery had ended the appointment moved back to
03:41. A move notice is keyed by its new start (one notice per start), so the key was
one sent before the loss, which the loss had made the bridge forget: the notice went
out a second time, by SMS and by e-mail. Now a move notice of an appointment that
existed before the loss asks Twilio's log first, whenever it comes; found, it is not
sent again, and its e-mail (sent beside the SMS) is skipped as memory lost. A move to a
start never announced goes out as usual, SMS and e-mail.

Real servers: Redis, RQ's worker, the booking and Twilio sandboxes, the SMTP sink.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from bridge.sending.recovery import END_CHECK_SECONDS
from bridge.store.claims import ORPHAN_SECONDS
from bridge.store.epoch import Epochs
from tests.flow.conftest import Flow
from tests.flow.test_moved_pending import move
from tests.flow.test_redis_amnesia import (
    MEMORY_LOST,
    forget,
    mails_out,
    sms_out,
    step,
    twice,
    watched,
)
from tests.flow.test_sending import booked

MakeFlow = Callable[..., Flow]


def moved(flow: Flow, appointment: int, by: timedelta) -> None:
    move(flow, appointment, by)
    flow.poll()
    step(flow)


def test_a_move_back_to_a_start_announced_before_the_loss_is_not_announced_again(
        make_flow: MakeFlow) -> None:
    flow = make_flow(OABRIDGE_CHANNELS="rescheduled:both")
    watched(flow)
    step(flow)
    back = booked(flow, days=3, mobile_phone="06-41000051", email="terug@example.nl")
    onward = booked(flow, days=3, index=1, mobile_phone="06-41000052",
                    email="verder@example.nl")
    flow.poll()
    step(flow)
    moved(flow, back, timedelta(days=1))  # announced: the start the move comes back to
    moved(flow, back, timedelta(days=1))  # announced
    assert flow.mail.wait_for_messages(2)
    notices = [body for to, body in sms_out(flow)
               if to == "+31641000051" and "verplaatst" in body]
    assert len(notices) == 2 and notices[0] != notices[1]

    forget(flow)
    flow.clock.advance(timedelta(seconds=30))
    watched(flow)
    flow.poll()  # notices the loss, reads everything again
    step(flow)
    flow.clock.advance(timedelta(seconds=ORPHAN_SECONDS + 1))
    step(flow)
    flow.clock.advance(timedelta(seconds=END_CHECK_SECONDS))
    step(flow)
    epoch = Epochs(flow.redis).read()
    assert epoch is not None and epoch.lost_at is not None and not epoch.recovering
    sms_before, mails_before = sms_out(flow), mails_out(flow)

    moved(flow, back, timedelta(days=-1))  # back to the start announced before the loss
    moved(flow, onward, timedelta(days=1))  # a start never announced
    assert flow.mail.wait_for_messages(len(mails_before) + 1)

    new = [(to, body) for to, body in sms_out(flow) if (to, body) not in sms_before]
    # The new start's notice (and, still pending, its prompt), once; nothing to the other.
    assert {to for to, _ in new} == {"+31641000052"}
    assert [body for _, body in new if "verplaatst" in body] != []
    new_mail = mails_out(flow)[len(mails_before):]
    assert [to for to, _ in new_mail] == ["verder@example.nl"]
    skips = {(s["appointment"], s["kind"], s["channel"], s["reason"]) for s in flow.skipped()}
    assert (str(back), "rescheduled", "email", MEMORY_LOST) in skips
    found = [r for r in flow.sent() if r.appointment_id == back and r.kind == "rescheduled"]
    assert found and all(r.provider_id for r in found)  # recorded with Twilio's id
    assert twice(sms_out(flow)) == [] and flow.failed_jobs() == []
