"""What the operator page reads of conversations: every number, and each one's state
in one round trip, without consuming a customer's pending question."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from redis import Redis
from redis.client import Pipeline

from bridge.store.conversations import (
    AskedAbout,
    Conversations,
    ConversationState,
    PendingChoice,
)

NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
ASKED, CHOOSING, BOTH, UNKNOWN = "+31611110001", "+31611110002", "+31611110003", "+31611110009"


def seeded(redis: Redis) -> Conversations:
    talk = Conversations(redis, 3600)
    talk.remember(ASKED, 501, "reminder", NOW + timedelta(days=1), NOW)
    talk.ask(CHOOSING, PendingChoice("cancel", (7, 8), None))
    talk.remember(BOTH, 502, "prompt", NOW + timedelta(days=2), NOW)
    talk.remember(BOTH, 503, "reminder", NOW - timedelta(hours=1), NOW)
    talk.ask(BOTH, PendingChoice("confirm", (502, 503), "1234"))
    return talk


def test_every_number_with_an_entry_or_a_question_once(redis: Redis) -> None:
    assert seeded(redis).numbers() == {ASKED, CHOOSING, BOTH}
    assert Conversations(redis, 3600).numbers() - {ASKED, CHOOSING, BOTH} == set()


def test_states_of_many_numbers_in_one_round_trip(
    redis: Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    talk = seeded(redis)
    sent: list[str] = []
    pipeline = redis.pipeline

    def counted_pipeline(transaction: bool = True) -> Pipeline:
        sent.append("pipeline")
        return pipeline(transaction=transaction)

    monkeypatch.setattr(redis, "execute_command", lambda *args, **_: sent.append(args[0]))
    monkeypatch.setattr(redis, "pipeline", counted_pipeline)
    states = talk.states([ASKED, CHOOSING, BOTH, UNKNOWN])
    monkeypatch.undo()
    assert sent == ["pipeline"]  # one pipeline, no command of its own per number
    assert states[ASKED] == ConversationState(
        (AskedAbout(501, NOW + timedelta(days=1), "reminder"),), None)
    assert states[CHOOSING] == ConversationState((), PendingChoice("cancel", (7, 8), None))
    assert sorted(states[BOTH].asked, key=lambda a: a.appointment_id) == [
        AskedAbout(502, NOW + timedelta(days=2), "prompt"),
        AskedAbout(503, NOW - timedelta(hours=1), "reminder"),  # all, started or not
    ]
    assert states[BOTH].question == PendingChoice("confirm", (502, 503), "1234")
    assert states[UNKNOWN] == ConversationState((), None)
    assert talk.states([]) == {}


def test_looking_leaves_the_pending_question_for_the_customers_answer(redis: Redis) -> None:
    talk = seeded(redis)
    talk.states([CHOOSING])
    assert talk.take_question(CHOOSING) == PendingChoice("cancel", (7, 8), None)
    assert talk.states([CHOOSING])[CHOOSING].question is None
    assert talk.numbers() == {ASKED, BOTH}


def test_a_taken_back_sms_closes_what_it_opened(redis: Redis) -> None:
    talk = Conversations(redis, 3600)
    asking = talk.remember(ASKED, 601, "confirm_request", NOW + timedelta(days=1), NOW, by="p")
    assert asking.previous is None
    assert talk.take_back(asking)
    assert not talk.has(ASKED, 601)


def test_a_taken_back_sms_leaves_what_an_earlier_sms_opened(redis: Redis) -> None:
    talk = Conversations(redis, 3600)
    talk.remember(ASKED, 602, "confirm_request", NOW + timedelta(days=1), NOW, by="prompt")
    asking = talk.remember(ASKED, 602, "reminder", NOW + timedelta(days=1),
                           NOW + timedelta(hours=2), by="reminder")
    assert talk.take_back(asking)
    state = talk.states([ASKED])[ASKED]
    assert [(a.appointment_id, a.kind) for a in state.asked if a.appointment_id == 602] \
        == [(602, "confirm_request")]


def test_a_taken_back_sms_leaves_what_another_sms_wrote_since(redis: Redis) -> None:
    """The prompt's attempt opened the conversation; a reminder went out while Twilio
    refused the prompt for now: the customer may answer the reminder."""
    talk = Conversations(redis, 3600)
    prompt = talk.remember(ASKED, 603, "confirm_request", NOW + timedelta(days=1), NOW,
                           by="prompt")
    talk.remember(ASKED, 603, "reminder", NOW + timedelta(days=1), NOW, by="reminder")
    assert not talk.take_back(prompt)
    assert talk.has(ASKED, 603)


def test_erasing_a_number_takes_its_wait_for_a_code_too(redis: Redis) -> None:
    talk = Conversations(redis, 3600)
    talk.ask_code(ASKED, 604)
    assert talk.states([ASKED])[ASKED].code_asked == 604
    assert talk.erase(ASKED) == 1
    assert talk.states([ASKED])[ASKED].code_asked is None and talk.numbers() == set()
