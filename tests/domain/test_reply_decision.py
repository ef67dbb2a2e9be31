"""The reply decision: a table of the cases the flows meet, and properties over any
set of appointment states."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bridge.domain.intents import Intent, Reply
from bridge.domain.reply_decision import (
    ABOUT_OPEN_APPOINTMENTS,
    MAX_CHOICES,
    AppointmentState,
    Question,
    ReplyAction,
    ReplyDecision,
    Step,
    decide_reply,
)
from bridge.domain.status import Label

NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
TOMORROW = NOW + timedelta(days=1)
JA = Reply(Intent.CONFIRM, keyword="ja")
NEE = Reply(Intent.CANCEL, keyword="nee")
CODE = Reply(Intent.CODE, code="K7M3QP")
CONFIRM, CANCEL = ReplyAction.CONFIRM, ReplyAction.CANCEL


def state(ident: int, label: Label = Label.PENDING, hours: float = 24,
          code: str | None = None) -> AppointmentState:
    return AppointmentState(ident, label, NOW + timedelta(hours=hours), code)


def decide(reply: Reply, *candidates: AppointmentState,
           question: Question | None = None) -> ReplyDecision:
    return decide_reply(reply, question=question, candidates=candidates, now=NOW)


def choice(number: int) -> Reply:
    return Reply(Intent.CHOICE, choice=number, keyword=str(number))


@pytest.mark.parametrize(("reply", "step"), [
    (Reply(Intent.OPT_OUT, keyword="stop"), Step.OPT_OUT),
    (Reply(Intent.OPT_IN, keyword="start"), Step.OPT_IN),
    (Reply(Intent.HELP, keyword="help"), Step.NO_ANSWER),  # Twilio answers it
    (Reply(Intent.UNKNOWN), Step.HELP),
])
def test_words_about_the_number_not_an_appointment(reply: Reply, step: Step) -> None:
    assert decide(reply, state(1)) == ReplyDecision(step)


@pytest.mark.parametrize(("reply", "expected"), [
    (CODE, ReplyDecision(Step.CONFIRM, 1, code="K7M3QP")),
    (JA, ReplyDecision(Step.NEED_CODE, 1)),  # no code anywhere: ask for it
    (NEE, ReplyDecision(Step.CANCEL, 1)),
])
def test_one_open_appointment_is_acted_on(reply: Reply, expected: ReplyDecision) -> None:
    assert decide(reply, state(1)) == expected


def test_the_code_from_the_reply_wins_over_the_one_a_notice_supplied() -> None:
    assert decide(CODE, state(1, code="NOTICE1")).code == "K7M3QP"
    assert decide(JA, state(1, code="NOTICE1")) == ReplyDecision(Step.CONFIRM, 1,
                                                                 code="NOTICE1")


@pytest.mark.parametrize(("label", "step"), [
    (Label.APPROVED, Step.ALREADY_CONFIRMED),
    (Label.IN_PROGRESS, Step.NO_APPOINTMENT),
    (Label.PENDING, Step.CONFIRM),
])
def test_only_a_pending_appointment_is_confirmed(label: Label, step: Step) -> None:
    decision = decide(CODE, state(1, label))
    assert (decision.step, decision.appointment_id) == (step, 1)


def test_cancelling_leaves_the_label_to_the_booking_api() -> None:
    assert decide(NEE, state(1, Label.APPROVED)) == ReplyDecision(Step.CANCEL, 1)


@pytest.mark.parametrize("closed", [
    state(1, hours=0),  # starting now
    state(1, hours=-1),  # over
    state(1, Label.CANCELLED),
    state(1, Label.FINISHED),
])
def test_an_appointment_no_longer_open_is_no_appointment_and_forgotten(
        closed: AppointmentState) -> None:
    assert decide(JA, closed) == ReplyDecision(Step.NO_APPOINTMENT, closed=(1,))


def test_nobody_asked_about_anything_is_no_appointment() -> None:
    assert decide(NEE) == ReplyDecision(Step.NO_APPOINTMENT)


def test_several_open_ask_which_soonest_first_at_most_three() -> None:
    candidates = [state(1, hours=50), state(2, hours=10), state(3, hours=30),
                  state(4, hours=20), state(5, hours=-2)]
    assert decide(CODE, *candidates) == ReplyDecision(
        Step.ASK_WHICH, code="K7M3QP", action=CONFIRM, choices=(2, 4, 3), closed=(5,))
    assert decide(NEE, *candidates[:2]) == ReplyDecision(
        Step.ASK_WHICH, action=CANCEL, choices=(2, 1))


def test_a_choice_acts_on_the_chosen_appointment_as_the_question_asked() -> None:
    question = Question(CONFIRM, (7, 8), "K7M3QP")
    assert decide(choice(2), state(8), question=question) == ReplyDecision(
        Step.CONFIRM, 8, code="K7M3QP")
    cancel = Question(CANCEL, (7, 8))
    assert decide(choice(1), state(7), question=cancel) == ReplyDecision(Step.CANCEL, 7)


def test_a_choice_without_a_question_or_out_of_range_gets_help() -> None:
    assert decide(choice(1), state(7)) == ReplyDecision(Step.HELP)
    question = Question(CANCEL, (7, 8))
    assert decide(choice(3), state(7), question=question) == ReplyDecision(Step.HELP)


def test_a_choice_of_an_appointment_gone_or_closed_is_no_appointment() -> None:
    question = Question(CANCEL, (7, 8))
    assert decide(choice(2), question=question) == ReplyDecision(Step.NO_APPOINTMENT)
    assert decide(choice(2), state(8, Label.CANCELLED), question=question) == ReplyDecision(
        Step.NO_APPOINTMENT, closed=(8,))
    # only the chosen one counts, whatever else was looked up
    assert decide(choice(2), state(7), question=question) == ReplyDecision(
        Step.NO_APPOINTMENT)


def test_a_question_picks_by_its_numbers() -> None:
    question = Question(CONFIRM, (7, 8, 9))
    assert [question.chosen(n) for n in (None, 0, 1, 2, 3, 4)] == [None, None, 7, 8, 9, None]


# Properties -------------------------------------------------------------------------

labels = st.sampled_from(list(Label))
states = st.builds(
    AppointmentState,
    st.integers(min_value=1, max_value=50),
    labels,
    st.builds(lambda m: NOW + timedelta(minutes=m), st.integers(-3000, 3000)),
    st.one_of(st.none(), st.just("NOTICE1")),
)
candidate_sets = st.lists(states, max_size=8, unique_by=lambda s: s.appointment_id)
about = st.sampled_from([JA, NEE, CODE])


@given(about, candidate_sets)
def test_a_reply_about_appointments_follows_the_open_ones(
        reply: Reply, candidates: list[AppointmentState]) -> None:
    assert reply.intent in ABOUT_OPEN_APPOINTMENTS
    decision = decide(reply, *candidates)
    live = [c for c in candidates if c.is_open(NOW)]
    assert decision.closed == tuple(sorted(c.appointment_id for c in candidates
                                           if not c.is_open(NOW)))
    if not live:
        assert decision == ReplyDecision(Step.NO_APPOINTMENT, closed=decision.closed)
    elif len(live) == 1:
        assert decision.appointment_id == live[0].appointment_id
        assert decision.step not in {Step.ASK_WHICH, Step.NO_ANSWER, Step.HELP}
    else:
        by_id = {c.appointment_id: c for c in live}
        starts = [by_id[i].start for i in decision.choices]
        assert decision.step is Step.ASK_WHICH
        assert len(decision.choices) == min(len(live), MAX_CHOICES)
        assert starts == sorted(starts)
        assert max(starts) <= sorted(c.start for c in live)[len(starts) - 1]
        assert decision.action is (CANCEL if reply is NEE else CONFIRM)


@given(about, candidate_sets, st.randoms(use_true_random=False))
def test_the_order_the_states_come_in_does_not_matter(
        reply: Reply, candidates: list[AppointmentState], shuffler: random.Random) -> None:
    shuffled = list(candidates)
    shuffler.shuffle(shuffled)
    assert decide(reply, *candidates) == decide(reply, *shuffled)


@given(states, st.one_of(st.none(), st.text(min_size=1, max_size=8)))
def test_a_confirmation_always_carries_a_code_and_only_for_a_pending_one(
        candidate: AppointmentState, code: str | None) -> None:
    decision = decide(Reply(Intent.CODE, code=code), candidate)
    if decision.step is Step.CONFIRM:
        assert decision.code and candidate.label is Label.PENDING
        assert candidate.is_open(NOW)
    if decision.step is Step.NEED_CODE:
        assert not code and not candidate.notice_code


@given(st.integers(1, 9), st.lists(st.integers(1, 50), max_size=3, unique=True),
       candidate_sets)
def test_a_choice_only_ever_acts_on_the_appointment_it_names(
        number: int, asked: list[int], candidates: list[AppointmentState]) -> None:
    question = Question(CANCEL, tuple(asked))
    decision = decide(choice(number), *candidates, question=question)
    if decision.step is Step.CANCEL:
        assert decision.appointment_id == asked[number - 1]
    else:
        assert decision.step in {Step.HELP, Step.NO_APPOINTMENT}
        assert decision.closed in {(), (question.chosen(number),)}
