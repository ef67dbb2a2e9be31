"""`answer_matcher`: after a loss, an SMS counts as a reply's answer only if it is one of
the bridge's answers, whatever the appointment, practice or language it was about; a
prompt, reminder or notice is never taken for one."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bridge.rendering import Choice, MessageContext, Renderer
from bridge.rendering.kinds import APPOINTMENT_KINDS, REPLY_KINDS
from bridge.sending.answer_texts import answer_matcher

AMS = ZoneInfo("Europe/Amsterdam")
RENDERER = Renderer(templates_dir=None, tz=AMS)
STARTS = [datetime(2026, 12, 8, 8, 45, tzinfo=AMS), datetime(2027, 3, 28, 2, 30, tzinfo=AMS),
          datetime(2026, 10, 25, 23, 59, tzinfo=AMS), datetime(2027, 1, 1, 10, 0, tzinfo=AMS)]


def contexts() -> list[MessageContext]:
    found = []
    for n, start in enumerate(STARTS):
        for phone in ("", "010-1234567"):
            found.append(MessageContext(
                practice_name=["Fysiotherapie De Linde", "Tandarts Smit", "Salon 12",
                               "Praktijk"][n],
                practice_phone=phone, customer_first_name=["Zoe", "", "Sébastien", "An"][n],
                customer_name="Zoe Bakker", start=start, end=start + timedelta(minutes=30),
                appointment_type=["Intake", "", "Controle 30 min", "X"][n],
                confirmation_code="K7Q2ZP", can_reply=bool(n % 2),
                choices=(Choice(1, start, "Intake"), Choice(2, start + timedelta(days=1), "")),
                action=("confirm", "cancel", None, "confirm")[n]))  # type: ignore[arg-type]
    return found


@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_answer_is_recognised_and_no_planned_message_is(language: str) -> None:
    is_answer = answer_matcher(RENDERER)
    for context in contexts():
        for kind in REPLY_KINDS:
            text = RENDERER.render(kind, language, "sms", context).text
            assert is_answer(text), (kind, text)
        for kind in APPOINTMENT_KINDS:
            text = RENDERER.render(kind, language, "sms", context).text
            assert not is_answer(text), (kind, text)
    no_appointment = MessageContext(practice_name="Fysiotherapie De Linde")
    for kind in ("reply_no_appointment", "reply_help"):
        assert is_answer(RENDERER.render(kind, language, "sms", no_appointment).text)
