"""A customer's NEE cancels, and the answer says so: no cancellation notice after it.

Seen in the full soak: twice a customer's cancellation by SMS was answered and then
announced again by the cancellation notice. The notice was marked as told by the answer
only after the booking API's real cancel, so a sync that saw the cancellation first, or
Redis failing just after the cancel, let it go. Now the mark comes first (after the
DryRun), and a real cancel that fails takes it back, so a cancellation the practice
makes later is still announced.

Real servers: Redis, RQ's worker, the booking and Twilio sandboxes; the booking
sandbox's handler is watched (and once made to fail) at the moment the cancel arrives.
"""

from __future__ import annotations

from collections.abc import Mapping

from bridge.booking import CancelMode, Label
from bridge.domain.messages import MessageKind, message_key
from bridge.store import keys
from tests.flow.conftest import Flow
from tests.flow.test_replies import answers, kinds_after_a_poll, prompted, reply, started

NOTICE_TOLD = b"answered_by_reply"


def the_real_cancel(params: Mapping[str, str]) -> bool:
    return params.get("method") == "cancelAppointment" \
        and str(params.get("DryRun", "")).lower() not in {"1", "true"}


def notice_marker(flow: Flow, appointment: int) -> str:
    start = flow.api.get_appointment(appointment).start
    return keys.dispatched(message_key(appointment, MessageKind.CANCELLED, "", start))


def test_the_notice_is_marked_told_before_the_cancel_reaches_the_api(flow: Flow) -> None:
    started(flow)
    appointment = prompted(flow, "06-21000041")
    marker = notice_marker(flow, appointment)
    seen: list[bytes | None] = []
    real = flow.booking.handle

    def watched(params: Mapping[str, str]) -> str:
        if the_real_cancel(params):
            seen.append(flow.redis.get(marker))
        return real(params)

    flow.booking.handle = watched  # type: ignore[method-assign]
    reply(flow, "+31621000041", "NEE")
    assert seen == [NOTICE_TOLD]
    assert flow.api.get_appointment(appointment).label is Label.CANCELLED
    assert answers(flow, "+31621000041") == ["reply_cancelled"]
    assert "cancelled" not in kinds_after_a_poll(flow, appointment)


def test_a_cancel_that_fails_takes_the_mark_back(flow: Flow) -> None:
    started(flow)
    appointment = prompted(flow, "06-21000042")
    marker = notice_marker(flow, appointment)
    real = flow.booking.handle
    failed: list[bool] = []

    def failing_once(params: Mapping[str, str]) -> str:
        if the_real_cancel(params) and not failed:
            failed.append(True)
            return real({**params, "method": "noSuchMethod"})  # the API's own error
        return real(params)

    flow.booking.handle = failing_once  # type: ignore[method-assign]
    reply(flow, "+31621000042", "NEE")  # its job fails; RQ retries it in 10 s
    assert failed == [True]
    assert flow.redis.get(marker) is None  # taken back
    assert flow.api.get_appointment(appointment).label is Label.PENDING
    # The practice cancels meanwhile: the customer is told by the notice.
    flow.api.cancel_appointment(appointment, mode=CancelMode.COMPANY)
    assert "cancelled" in kinds_after_a_poll(flow, appointment)
