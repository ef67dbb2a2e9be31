"""The answer stored with an inbound message is read back by a retry, possibly of a
newer release: its JSON keeps the shape earlier releases wrote."""

from __future__ import annotations

import json

import pytest

from bridge.domain.reply_decision import Step
from bridge.replies.answer import Answer, plain_answer

#: As the bridge stored it before the reply rules moved into `bridge.replies`.
STORED = [
    '{"answer": "reply_choose", "appointment": 0, "choices": [12, 7], "action": "cancel"}',
    '{"answer": "reply_confirmed", "appointment": 12, "choices": [], "action": null}',
    '{"answer": "", "appointment": 0, "choices": [], "action": null}',
]


@pytest.mark.parametrize("text", STORED)
def test_a_stored_answer_reads_back_and_is_written_the_same(text: str) -> None:
    answer = Answer.from_json(text)
    assert json.loads(answer.to_json()) == json.loads(text)
    assert Answer.from_json(answer.to_json()) == answer


def test_the_choices_keep_their_order() -> None:
    assert Answer.from_json(STORED[0]) == Answer("reply_choose", 0, (12, 7), "cancel")


@pytest.mark.parametrize(("step", "kind"), [
    (Step.HELP, "reply_help"),
    (Step.ALREADY_CONFIRMED, "reply_already_confirmed"),
    (Step.NO_APPOINTMENT, "reply_no_appointment"),
    (Step.NEED_CODE, "reply_need_code"),
])
def test_steps_that_change_nothing_upstream_answer_directly(step: Step, kind: str) -> None:
    assert plain_answer(step, 5) == Answer(kind, 5)


@pytest.mark.parametrize("step", [Step.CONFIRM, Step.CANCEL, Step.ASK_WHICH, Step.OPT_OUT,
                                  Step.OPT_IN, Step.NO_ANSWER])
def test_the_other_steps_are_carried_out_first(step: Step) -> None:
    assert plain_answer(step, 5) is None
