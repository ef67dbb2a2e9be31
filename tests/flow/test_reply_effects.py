"""What a reply changes upstream is recorded (for the demo's terminal and operators),
and every answer to a reply names the practice as reminders do."""

from __future__ import annotations

from collections.abc import Callable

from bridge.booking import Label
from tests.flow.conftest import Flow
from tests.flow.test_replies import code_of, prompted, reply, started


def answer_texts(flow: Flow, e164: str) -> list[str]:
    return [r.text for r in flow.rt.messages.recent(200)
            if r.recipient == e164 and r.kind.startswith("reply_")]


def test_a_confirmation_by_code_is_recorded_with_the_sender_masked(flow: Flow) -> None:
    started(flow)
    appointment = prompted(flow, "06-21000101")
    reply(flow, "+31621000101", code_of(flow, appointment))
    [effect] = flow.rt.reply_effects.recent()
    assert effect.describe() == (f"appointment {appointment}: PENDING → APPROVED "
                                 "(confirmed by SMS from +31*******01)")
    assert effect.at == flow.clock.now().timestamp()


def test_a_cancellation_is_recorded_and_a_reply_that_changes_nothing_is_not(
    flow: Flow,
) -> None:
    started(flow)
    appointment = prompted(flow, "06-21000102")
    reply(flow, "+31621000102", "ZZ9ZZ9")  # a wrong code: nothing changes
    reply(flow, "+31621000102", "JA")  # no code known: the bridge asks for it
    assert flow.rt.reply_effects.recent() == []
    reply(flow, "+31621000102", "NEE")
    assert flow.api.get_appointment(appointment).label is Label.CANCELLED
    [effect] = flow.rt.reply_effects.recent()
    assert (effect.appointment_id, effect.before, effect.after, effect.action) == (
        appointment, "PENDING", "CANCELLED", "cancelled")


def test_answers_name_the_practice_by_its_agenda_as_reminders_do(
    make_flow: Callable[..., Flow],
) -> None:
    # As in the demo: a phone number (the help text names the practice with it), and
    # no OABRIDGE_PRACTICE_NAME.
    flow = make_flow(OABRIDGE_PRACTICE_PHONE="030 123 45 67")
    assert not flow.settings.practice_name
    practice = flow.api.get_agendas()[0].name
    started(flow)
    appointment = prompted(flow, "06-21000103")
    prompt = next(r.text for r in flow.rt.messages.recent(200)
                  if r.appointment_id == appointment and r.kind == "confirm_request")
    assert practice in prompt
    reply(flow, "+31621000103", code_of(flow, appointment))  # about an appointment
    reply(flow, "+31621000199", "hallo")  # about none: help, from an unknown number
    texts = answer_texts(flow, "+31621000103") + answer_texts(flow, "+31621000199")
    assert len(texts) == 2
    assert all(practice in text and "OnlineAfspraken" not in text for text in texts), texts
