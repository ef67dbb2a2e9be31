"""The oracle's reading of a reply that an amnesia found again without its conversation
(#16): answered "no appointment" (allowed, counted apart), it may have confirmed before
the loss. Seen in the full soak: a code confirmed upstream 3.4 s before the amnesia, its
answer held up by a 429, the retry lost with the memory; the soak expected PENDING."""

from __future__ import annotations

from datetime import UTC, datetime

from bench.soaklib.evidence import Sent
from bench.soaklib.journal import APPROVED, PENDING, Appointment, Journal, Reply, State
from bench.soaklib.reply_rules import ReplyRules
from bench.soaklib.texts import Reading
from bench.soaklib.verdict import Rules, Verdict

T0 = 1_796_400_000.0
KILL = T0 + 600
PHONE = "+31600000001"
START = datetime.fromtimestamp(T0 + 7200, UTC)


def after_judging(replied_at: float, final: str) -> Appointment:
    """An appointment prompted at T0 + 10, a code sent at `replied_at`, answered "no
    appointment" 30 s after the amnesia; `final`: its status upstream at the end."""
    appointment = Appointment(1, 11, 6101, None, [State(T0, T0, "book", PENDING, START)])
    journal = Journal(appointments={1: appointment},
                      replies=[Reply(replied_at, PHONE, "ABC123", "code", 1, PENDING, False)])
    rules = Rules({}, allowance=20.0, grace=5.0, checked_at=T0 + 1800,
                  amnesia=((KILL, KILL + 1),), losses=((KILL, KILL + 1),))
    prompt = Sent("sms", PHONE, T0 + 10, Reading("prompt", "10:00"), "SM1", "Bevestigen?")
    answer = Sent("sms", PHONE, KILL + 30, Reading("no_appointment", None), "SM2", "Geen")
    replies = ReplyRules(journal, rules, Verdict())
    replies.judge_replies({PHONE: [answer]}, [prompt, answer], {1: KILL - 3})
    assert replies.verdict.forgotten_conversations == 1
    replies.cancelled_by_customers({1: final}, {1: KILL - 3})
    return appointment


def test_a_code_that_confirmed_before_the_loss_is_taken_as_confirming() -> None:
    appointment = after_judging(KILL - 4, APPROVED)
    assert appointment.state.status == APPROVED
    assert appointment.state.action == "sms-confirm"


def test_nothing_is_added_when_the_booking_system_says_it_did_not_confirm() -> None:
    appointment = after_judging(KILL - 4, PENDING)
    assert appointment.state.status == PENDING and appointment.state.action == "book"
