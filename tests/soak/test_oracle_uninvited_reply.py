"""The oracle's reading of a reply from a customer no prompt or reminder SMS reached
(#5, #16): "no appointment", or, for a JA or code about a confirmed appointment,
"already confirmed" (a worker killed between opening the conversation and calling
Twilio leaves it open with no SMS sent: seen twice in the full soak). A NEE gets no
such leave: it would cancel."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bench.soaklib.evidence import Sent
from bench.soaklib.journal import APPROVED, PENDING, Appointment, Journal, Reply, State
from bench.soaklib.reply_rules import ReplyRules
from bench.soaklib.texts import Reading
from bench.soaklib.verdict import Rules, Verdict

T0 = 1_796_400_000.0
PHONE = "+31600000002"
START = datetime.fromtimestamp(T0 + 7200, UTC)


def wrong_answers(kind: str, status: str, answered: str) -> int:
    """A reply of `kind` about an appointment in `status`, never invited by SMS,
    answered `answered` a second later: how many answers the oracle finds wrong."""
    appointment = Appointment(1, 11, 6101, None, [State(T0, T0, "book", status, START)])
    journal = Journal(appointments={1: appointment},
                      replies=[Reply(T0 + 60, PHONE, kind.upper(), kind, 1, status, False)])
    rules = Rules({}, allowance=20.0, grace=5.0, checked_at=T0 + 1800)
    answer = Sent("sms", PHONE, T0 + 61, Reading(answered, None), "SM1", answered)
    replies = ReplyRules(journal, rules, Verdict())
    replies.judge_replies({PHONE: [answer]}, [answer], {})
    return replies.verdict.answers.wrong


@pytest.mark.parametrize(("kind", "status", "answered", "wrong"), [
    ("ja", APPROVED, "no_appointment", 0),
    ("ja", APPROVED, "already_confirmed", 0),
    ("code", APPROVED, "already_confirmed", 0),
    ("ja", PENDING, "need_code", 1),
    ("nee", APPROVED, "reply_cancelled", 1),
])
def test_an_uninvited_reply(kind: str, status: str, answered: str, wrong: int) -> None:
    assert wrong_answers(kind, status, answered) == wrong
