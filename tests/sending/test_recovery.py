"""The epoch and the recovery (`bridge.sending.recovery`): a first start or a lost
memory, told apart by Twilio's log (the sandbox's, over HTTP) or by this process's own
sight of an epoch; one epoch however many workers decide at once; nothing decided while
Twilio cannot be asked; which messages may have gone out before the loss, and with which
texts."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import structlog
from redis import Redis

import bridge.sending.recovery as recovery_module
from bridge.domain.messages import MessageKind, PlannedMessage
from bridge.domain.offsets import parse_offsets
from bridge.outbound.errors import SendHeldBack
from bridge.outbound.sms import SmsSender
from bridge.rendering import MessageContext, Renderer
from bridge.sending.answer_texts import answer_matcher
from bridge.sending.facts import MessageFacts
from bridge.sending.recovery import (
    ANSWER_BOUND,
    ASK_AGAIN_SECONDS,
    CLOCK_SLACK,
    END_CHECK_SECONDS,
    Recovery,
    texts_it_had,
)
from bridge.store.epoch import EPOCH, Epoch, Epochs, new_epoch
from bridge.store.plan_store import PlanStore
from bridge.store.sync_state import SyncState
from sandbox.booking import DEMO_API_KEY, DEMO_API_SECRET, BookingSandbox
from sandbox.clock import ManualClock
from sandbox.server import SandboxServer
from sandbox.twilio import DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, DEMO_NUMBER, TwilioSandbox
from tests.domain.builders import AMS, local, settings, snapshot

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
LOOKBACK = timedelta(days=2)
RENDERER = Renderer(templates_dir=None, tz=AMS)


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[TwilioSandbox, SandboxServer, ManualClock]]:
    clock = ManualClock(NOW)
    booking = BookingSandbox(DEMO_API_KEY, DEMO_API_SECRET, clock=clock)
    with (
        TwilioSandbox(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, clock=clock, step_delay=0.002) as twilio,
        SandboxServer(booking, extra_routes=twilio.routes()) as server,
    ):
        yield twilio, server, clock
    booking.close()


@pytest.fixture
def clock(served: tuple[TwilioSandbox, SandboxServer, ManualClock]) -> ManualClock:
    served[0].reset()
    served[2].set(NOW)
    return served[2]


def sender(base_url: str) -> SmsSender:
    return SmsSender(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, sender=DEMO_NUMBER, base_url=base_url)


@pytest.fixture
def sms(served: tuple[TwilioSandbox, SandboxServer, ManualClock], clock: ManualClock) -> SmsSender:
    return sender(served[1].base_url)


def recovery(redis: Redis, clock: ManualClock, sms: SmsSender | None) -> Recovery:
    return Recovery(epochs=Epochs(redis), sms=sms, clock=clock, lookback=LOOKBACK,
                    plans=PlanStore(redis), sync_state=SyncState(redis),
                    pause=lambda _seconds: None)  # the lookups' pauses: not waited here


def test_an_empty_log_is_a_first_start(redis: Redis, clock: ManualClock,
                                       sms: SmsSender) -> None:
    epoch = recovery(redis, clock, sms).decide()
    assert epoch.lost_at is None and not epoch.recovering and epoch.started_at == NOW
    assert recovery(redis, clock, sms).decide() == epoch  # read, not written again
    assert Epochs(redis).counts() == {}
    assert redis.ttl(EPOCH) == -1  # no TTL: the epoch is the memory itself


def sent(sms: SmsSender, twilio: TwilioSandbox) -> None:
    """One SMS from the bridge's number, which Twilio has sent (`DateSent` set)."""
    sms.send("+31612345678", "Herinnering", None)
    assert twilio.wait_idle(10)


def test_a_recent_send_and_no_epoch_is_a_lost_memory(
        redis: Redis, clock: ManualClock, sms: SmsSender,
        served: tuple[TwilioSandbox, SandboxServer, ManualClock]) -> None:
    sent(sms, served[0])
    clock.advance(timedelta(hours=5))
    epoch = recovery(redis, clock, sms).decide()
    assert epoch.lost_at == clock.now() and epoch.recovering
    assert Epochs(redis).counts() == {"memory_lost": 1}


def test_twilios_own_answer_to_a_stop_is_not_a_send(
        redis: Redis, clock: ManualClock, sms: SmsSender,
        served: tuple[TwilioSandbox, SandboxServer, ManualClock]) -> None:
    answer = served[0].inbound("+31612345678", "STOP", deliver=False)
    assert answer["auto_reply"]  # outbound-reply, from the bridge's number
    assert served[0].wait_idle(10)
    assert recovery(redis, clock, sms).decide().lost_at is None


def test_a_send_before_the_lookback_is_not_recent(
        redis: Redis, clock: ManualClock, sms: SmsSender,
        served: tuple[TwilioSandbox, SandboxServer, ManualClock]) -> None:
    sent(sms, served[0])
    clock.advance(LOOKBACK + timedelta(days=2))
    assert recovery(redis, clock, sms).decide().lost_at is None


def test_an_epoch_this_process_saw_gone_is_a_loss_without_asking(
        redis: Redis, clock: ManualClock) -> None:
    watcher = recovery(redis, clock, None)  # e-mail only: nobody to ask
    assert watcher.decide().lost_at is None
    redis.delete(EPOCH)
    clock.advance(timedelta(minutes=1))
    lost = watcher.decide()
    assert lost.lost_at == clock.now() and lost.recovering
    assert recovery(redis, clock, None).decide() == lost


def test_a_send_never_writes_a_first_start_but_a_loss_it_saw(
        redis: Redis, clock: ManualClock, sms: SmsSender) -> None:
    """The send path (`epoch`) decides nothing from a fresh sight, not even with Twilio
    to ask: only a ticker writes a first start. A process that saw the epoch writes the
    loss."""
    with pytest.raises(SendHeldBack, match="epoch not yet written"):
        recovery(redis, clock, sms).epoch()
    assert Epochs(redis).read() is None
    sends = recovery(redis, clock, None)
    first = recovery(redis, clock, None).decide()
    assert sends.epoch() == first
    redis.delete(EPOCH)
    lost = sends.epoch()
    assert lost.lost_at == clock.now() and lost.recovering


def test_two_workers_deciding_at_once_write_one_epoch(redis: Redis) -> None:
    first, second = new_epoch(NOW, lost=True), new_epoch(NOW, lost=True)
    assert Epochs(redis).begin(first) == (first, True)
    assert Epochs(redis).begin(second) == (first, False)
    assert Epochs(redis).counts() == {"memory_lost": 1}


def test_twilio_unreachable_decides_nothing_and_waits_before_asking_again(
        redis: Redis, clock: ManualClock) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    watcher = recovery(redis, clock, sender(f"http://127.0.0.1:{port}"))
    with pytest.raises(SendHeldBack):
        watcher.decide()
    assert Epochs(redis).read() is None
    watcher.sms = None  # were it asked again now, it would decide: it is not
    with pytest.raises(SendHeldBack, match="cannot yet tell"):
        watcher.decide()
    clock.advance(timedelta(seconds=ASK_AGAIN_SECONDS))
    assert watcher.decide().lost_at is None


def test_the_recovery_ends_once_every_agenda_was_read_since_the_loss(
        redis: Redis, clock: ManualClock) -> None:
    lost = new_epoch(NOW, lost=True)
    Epochs(redis).begin(lost)
    watcher = recovery(redis, clock, None)
    watcher.watch()
    assert Epochs(redis).read() == lost  # nothing read since
    SyncState(redis).polled(1, 0, NOW + timedelta(seconds=30))
    SyncState(redis).polled(2, 0, NOW - timedelta(seconds=30))  # read before the loss
    clock.advance(timedelta(minutes=1))
    watcher.watch()
    assert Epochs(redis).read() == lost
    SyncState(redis).polled(2, 0, clock.now())
    watcher.watch()
    assert Epochs(redis).read() == lost  # looked 0 s ago: not again yet
    clock.advance(timedelta(seconds=END_CHECK_SECONDS))
    watcher.watch()
    assert Epochs(redis).read() == lost.ended(clock.now())


def test_an_ended_recovery_is_not_ended_for_another_epoch(redis: Redis) -> None:
    lost = new_epoch(NOW, lost=True)
    Epochs(redis).begin(lost)
    assert not Epochs(redis).end_recovery(new_epoch(NOW, lost=True), NOW)
    assert Epochs(redis).end_recovery(lost, NOW)
    assert not Epochs(redis).end_recovery(lost, NOW)


def test_the_epoch_round_trips_through_json() -> None:
    epoch = Epoch("e1", NOW, NOW + timedelta(seconds=1), True, None)
    assert Epoch.from_json(epoch.to_json()) == epoch
    assert Epoch.from_json(epoch.ended(NOW).to_json()) == epoch.ended(NOW)


START = local(2026, 6, 10, 10)
LOST = local(2026, 6, 9, 12)  # the reminder's day-before time (10:00) has passed


def planned(kind: MessageKind, variant: str = "") -> PlannedMessage:
    return PlannedMessage(4711, kind, START, LOST + timedelta(minutes=1), variant)


@pytest.mark.parametrize(("message", "created", "before"), [
    (planned(MessageKind.REMINDER, "1d"), local(2026, 6, 1, 9), True),
    (planned(MessageKind.REMINDER, "1d"), local(2026, 6, 9, 11), False),  # booked after due
    (planned(MessageKind.REMINDER, "2h"), local(2026, 6, 1, 9), True),  # rules changed
    (planned(MessageKind.CONFIRM_REQUEST), local(2026, 6, 1, 9), True),
    (planned(MessageKind.CONFIRM_REQUEST), LOST + timedelta(minutes=5), False),
    (planned(MessageKind.CONFIRM_REQUEST), None, True),
    (planned(MessageKind.RESCHEDULED), local(2026, 6, 1, 9), False),
    (planned(MessageKind.CANCELLED), local(2026, 6, 1, 9), False),
], ids=["reminder-due-before", "booked-after", "unknown-offset", "prompt-booked-before",
        "prompt-booked-after", "prompt-unknown-booking", "rescheduled", "cancelled"])
def test_which_messages_may_have_gone_out_before_the_loss(
        redis: Redis, clock: ManualClock, message: PlannedMessage, created: datetime | None,
        before: bool) -> None:
    epoch = new_epoch(LOST, lost=True)
    state = snapshot(start=START, created=created)
    assert recovery(redis, clock, None).came_before_loss(epoch, message, state,
                                                         settings()) is before
    first_start = new_epoch(LOST, lost=False)
    assert not recovery(redis, clock, None).came_before_loss(first_start, message, state,
                                                             settings())


def test_a_reminder_held_by_quiet_hours_past_the_loss_came_after_it(
        redis: Redis, clock: ManualClock) -> None:
    start = local(2026, 6, 10, 7, 30)  # its day-before time (07:30) is in quiet hours
    message = PlannedMessage(4711, MessageKind.REMINDER, start, local(2026, 6, 9, 8), "1d")
    epoch = new_epoch(local(2026, 6, 9, 7, 45), lost=True)
    state = snapshot(start=start)
    assert not recovery(redis, clock, None).came_before_loss(epoch, message, state,
                                                             settings())


def facts(kind: str, **context: Any) -> MessageFacts:
    start = local(2026, 12, 8, 8, 45)
    base = {"practice_name": "Fysiotherapie De Linde", "customer_first_name": "Zoe",
            "start": start, "end": start + timedelta(minutes=30), "can_reply": True}
    return MessageFacts(kind, "nl", MessageContext(**{**base, **context}))


def sms_text(renderer: Renderer, of: MessageFacts) -> str:
    return renderer.render(of.kind, of.language, "sms", of.context).text


def test_the_texts_a_prompt_may_have_had_before_the_loss() -> None:
    renderer = Renderer(templates_dir=None, tz=AMS)
    prompt = facts("confirm_request")
    now = sms_text(renderer, prompt)
    matches = texts_it_had(renderer, prompt, now)
    with_code = sms_text(renderer, facts("confirm_request", confirmation_code="K7Q2ZP"))
    in_the_move = sms_text(renderer, facts(
        "rescheduled_confirm", previous_start=local(2026, 12, 7, 9), confirmation_code="K7Q2"))
    assert with_code != now and in_the_move != now
    assert matches(now) and matches(with_code) and matches(in_the_move)
    other_day = sms_text(renderer, facts("confirm_request", start=local(2026, 12, 9, 8, 45),
                                         end=local(2026, 12, 9, 9, 15)))
    assert not matches(other_day)
    assert not matches(sms_text(renderer, facts("reminder")))


def test_a_reminder_is_matched_with_or_without_a_code_but_not_as_a_move() -> None:
    renderer = Renderer(templates_dir=None, tz=AMS)
    reminder = facts("reminder", confirmation_code="K7Q2ZP")
    matches = texts_it_had(renderer, reminder, sms_text(renderer, reminder))
    assert matches(sms_text(renderer, facts("reminder")))
    assert not matches(sms_text(renderer, facts(
        "rescheduled_confirm", previous_start=local(2026, 12, 7, 9))))


def test_a_move_notice_is_matched_from_any_previous_start_asking_or_not() -> None:
    """Seen in the full soak: a move's notice sent again after the loss, the state the
    bridge diffed from then (a poll's page read before the loss) not the one before."""
    renderer = Renderer(templates_dir=None, tz=AMS)
    notice = facts("rescheduled", previous_start=local(2026, 12, 7, 9))
    matches = texts_it_had(renderer, notice, sms_text(renderer, notice))
    assert matches(sms_text(renderer, facts("rescheduled", previous_start=local(2026, 12, 5,
                                                                                 14))))
    assert matches(sms_text(renderer, facts("rescheduled")))
    assert matches(sms_text(renderer, facts("rescheduled_confirm", confirmation_code="K7Q2",
                                            previous_start=local(2026, 12, 6, 11))))
    elsewhere = facts("rescheduled", previous_start=local(2026, 12, 7, 9),
                      start=local(2026, 12, 9, 8, 45), end=local(2026, 12, 9, 9, 15))
    assert not matches(sms_text(renderer, elsewhere))
    assert not matches(sms_text(renderer, facts("reminder")))


def test_a_cancelled_notice_is_matched_by_the_answer_to_a_customers_nee() -> None:
    """A customer who cancelled by SMS was told by the answer, not by a notice: after a
    loss the notice planned for the cancellation finds that answer and is not sent."""
    renderer = Renderer(templates_dir=None, tz=AMS)
    notice = facts("cancelled")
    matches = texts_it_had(renderer, notice, sms_text(renderer, notice))
    assert matches(sms_text(renderer, facts("reply_cancelled")))
    assert not matches(sms_text(renderer, facts("reminder")))


def test_the_recovery_waits_for_an_agenda_not_read_since_the_loss(
        redis: Redis, clock: ManualClock) -> None:
    """With the agendas to watch known, one never read since the loss (its poll
    failed: no last poll at all) keeps the recovery going."""
    lost = new_epoch(NOW, lost=True)
    Epochs(redis).begin(lost)
    watcher = recovery(redis, clock, None)
    watcher.agendas = lambda: (1, 2)
    SyncState(redis).polled(1, 0, NOW + timedelta(seconds=30))
    clock.advance(timedelta(minutes=1))
    watcher.watch()
    assert Epochs(redis).read() == lost
    watcher.watch(leading=False)  # only a leading ticker ends it
    SyncState(redis).polled(2, 0, clock.now())
    clock.advance(timedelta(seconds=END_CHECK_SECONDS))
    watcher.watch(leading=False)
    assert Epochs(redis).read() == lost
    watcher.watch()
    assert Epochs(redis).read() == lost.ended(clock.now())


def test_twilio_refusing_the_question_is_no_evidence(
        redis: Redis, clock: ManualClock, sms: SmsSender,
        served: tuple[TwilioSandbox, SandboxServer, ManualClock],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A permanent error (here: a wrong auth token) will not pass by waiting: the
    ticker decides as without SMS, and logs an error."""
    sent(sms, served[0])
    refused = SmsSender(DEMO_ACCOUNT_SID, "wrong-token", sender=DEMO_NUMBER,
                        base_url=served[1].base_url)
    with structlog.testing.capture_logs() as logs:
        # A logger an earlier test bound (cached on first use) would bypass the capture.
        monkeypatch.setattr(recovery_module, "log", structlog.get_logger(recovery_module.__name__))
        epoch = recovery(redis, clock, refused).decide()
    assert epoch.lost_at is None
    assert [e["log_level"] for e in logs if e["event"] == "epoch_question_refused"] == ["error"]


def text_to(sms: SmsSender, twilio: TwilioSandbox, to: str, body: str) -> None:
    sms.send(to, body, None)
    assert twilio.wait_idle(10)


def test_an_identical_text_sent_30_days_before_is_another_messages(
        redis: Redis, clock: ManualClock, sms: SmsSender,
        served: tuple[TwilioSandbox, SandboxServer, ManualClock]) -> None:
    """The same slot booked again renders the same reminder: the one sent 30 days ago
    is not this one's, so this one is not taken as sent (and lost)."""
    start = NOW + timedelta(days=1)
    message = PlannedMessage(4711, MessageKind.REMINDER, start, start - timedelta(days=1), "1d")
    clock.set(NOW - timedelta(days=30))
    text_to(sms, served[0], "+31612345678", "Herinnering: morgen 10:00")
    clock.set(NOW)
    epoch = new_epoch(NOW, lost=True)
    months = Recovery(epochs=Epochs(redis), sms=sms, clock=clock, lookback=timedelta(days=90),
                      plans=PlanStore(redis), sync_state=SyncState(redis))
    since = months.lookup_since(epoch, message, snapshot(start=start), settings())
    assert NOW - timedelta(days=2) < since < NOW
    same = "Herinnering: morgen 10:00".__eq__
    assert months.find_sent("+31612345678", same, since) is None
    clock.set(since + timedelta(minutes=5))
    text_to(sms, served[0], "+31612345678", "Herinnering: morgen 10:00")
    assert months.find_sent("+31612345678", same, since) is not None


def test_a_notice_is_looked_for_since_its_appointment_was_booked(
        redis: Redis, clock: ManualClock) -> None:
    """Seen in the full soak: after the amnesia a state read out of order made the diff
    announce again a move announced a minute before the loss; the lookup that started
    at the new notice's own time missed the first. It starts at the booking now."""
    start = NOW + timedelta(days=1)
    booked = NOW - timedelta(hours=3)
    notice = PlannedMessage(4711, MessageKind.RESCHEDULED, start, NOW)
    epoch = new_epoch(NOW - timedelta(minutes=1), lost=True)
    since = recovery(redis, clock, None).lookup_since(
        epoch, notice, snapshot(start=start, created=booked), settings())
    assert since == booked - CLOCK_SLACK


def test_two_reminders_with_one_text_are_not_both_found_in_one_sms(
        redis: Redis, clock: ManualClock, sms: SmsSender,
        served: tuple[TwilioSandbox, SandboxServer, ManualClock]) -> None:
    """The 90 s and the 30 s reminder of one appointment render the same text (seen in
    the soak): the SMS of the first, found after the loss and linked to it, is not also
    the second's, which is then sent; and the second's window starts after it."""
    start = NOW + timedelta(minutes=10)
    early = PlannedMessage(4711, MessageKind.REMINDER, start, start - timedelta(seconds=90),
                           "90s")
    late = PlannedMessage(4711, MessageKind.REMINDER, start, start - timedelta(seconds=30),
                          "30s")
    clock.set(start - timedelta(seconds=88))
    found_id = sms.send("+31612345678", "Herinnering: 10:10", None).provider_id
    assert served[0].wait_idle(10)
    clock.set(start - timedelta(seconds=20))
    epoch = new_epoch(start - timedelta(seconds=25), lost=True)
    recovery = Recovery(epochs=Epochs(redis), sms=sms, clock=clock,
                        lookback=timedelta(days=90), plans=PlanStore(redis),
                        sync_state=SyncState(redis))
    same = "Herinnering: 10:10".__eq__
    plan = settings(reminder_offsets=parse_offsets("90s,30s"))
    first = recovery.find_sent("+31612345678", same,
                               recovery.lookup_since(epoch, early, snapshot(start=start), plan))
    assert first is not None and first.provider_id == found_id
    assert recovery.find_sent("+31612345678", same,
                              recovery.lookup_since(epoch, late, snapshot(start=start), plan)) \
        is None  # its window opens 30 s before its own time
    wide = start - timedelta(minutes=5)
    assert recovery.find_sent("+31612345678", same, wide,
                              taken=lambda sid: sid == found_id) is None  # linked to the 90 s


def test_a_match_behind_many_later_messages_is_found(
        redis: Redis, clock: ManualClock, sms: SmsSender,
        served: tuple[TwilioSandbox, SandboxServer, ManualClock]) -> None:
    """A number many customers share: the message sought is followed by 250 others
    (more than a page); every page is read."""
    text_to(sms, served[0], "+31612345678", "Uw afspraak van dinsdag")
    for i in range(250):
        clock.advance(timedelta(seconds=1))
        sms.send("+31612345678", f"Een ander bericht {i}", None)
    assert served[0].wait_idle(30)
    found = sms.find_matching("+31612345678", "Uw afspraak van dinsdag".__eq__,
                              NOW - timedelta(minutes=1))
    assert found is not None


def test_a_reply_answered_shortly_before_the_loss_counts_as_answered(
        redis: Redis, clock: ManualClock, sms: SmsSender,
        served: tuple[TwilioSandbox, SandboxServer, ManualClock]) -> None:
    """Twilio shows an answer to the sender 5 s after the reply, before the loss:
    answered. A reply whose next answer came later than `ANSWER_BOUND`, or after the
    loss, was not; one received since the loss is not asked about at all. A reminder in
    those minutes is no answer (the soak: a reply left unanswered, taken as answered)."""
    reply_at = NOW
    clock.set(reply_at + timedelta(seconds=2))
    text_to(sms, served[0], "+31612345678", sms_text(RENDERER, facts("reminder")))
    clock.set(reply_at + timedelta(seconds=5))
    text_to(sms, served[0], "+31687654321", sms_text(RENDERER, facts("reminder")))
    text_to(sms, served[0], "+31612345678", sms_text(RENDERER, facts("reply_wrong_code")))
    epoch = new_epoch(reply_at + timedelta(minutes=2), lost=True)
    watcher = recovery(redis, clock, sms)
    is_answer = answer_matcher(RENDERER)
    assert watcher.answered_before_loss(epoch, "+31612345678", reply_at, is_answer)
    assert not watcher.answered_before_loss(epoch, "+31687654321", reply_at, is_answer)
    assert not watcher.answered_before_loss(
        epoch, "+31612345678", reply_at - ANSWER_BOUND - timedelta(seconds=1), is_answer)
    early_loss = new_epoch(reply_at + timedelta(seconds=3), lost=True)  # the reminder only
    assert not watcher.answered_before_loss(early_loss, "+31612345678", reply_at, is_answer)
    assert not watcher.answered_before_loss(new_epoch(NOW, lost=False), "+31612345678",
                                            reply_at, is_answer)


def test_a_reply_is_held_back_while_twilio_cannot_be_asked(
        redis: Redis, clock: ManualClock) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    watcher = recovery(redis, clock, sender(f"http://127.0.0.1:{port}"))
    epoch = new_epoch(NOW, lost=True)
    with pytest.raises(SendHeldBack, match="reply was answered"):
        watcher.answered_before_loss(epoch, "+31612345678", NOW - timedelta(minutes=1),
                                     answer_matcher(RENDERER))
    assert not watcher.answered_before_loss(epoch, "+31612345678", NOW + timedelta(seconds=1),
                                            answer_matcher(RENDERER))  # since: not asked
