"""Every shipped kind, in every language, on every channel it has: what the text must say.

These are also the meta-test that guards the wiring: a kind in `KINDS` without its
templates, or a template that needs a name the context does not have, fails here.
"""

from __future__ import annotations

import re

import pytest

from bridge.rendering import (
    APPOINTMENT_KINDS,
    KINDS,
    REPLY_KINDS,
    RESCHEDULED_CONFIRM,
    Rendered,
    Renderer,
    channels_of,
)
from bridge.rendering.samples import WITH_APPOINTMENT
from tests.rendering.builders import (
    DATE_LONG,
    DATE_SHORT,
    LANGUAGES,
    assert_cancelling_is_only_nee,
    context,
    invites_a_reply,
)

#: The kinds that ask the customer to answer (confirm or cancel).
ASKING = ("reminder", "confirm_request", RESCHEDULED_CONFIRM)

EVERY_TEMPLATE = [
    (kind, language, channel)
    for kind in KINDS
    for language in LANGUAGES
    for channel in channels_of(kind)
]


def _all_text(rendered: Rendered) -> str:
    return "\n".join(filter(None, (rendered.subject, rendered.text, rendered.html)))


@pytest.mark.parametrize(("kind", "language", "channel"), EVERY_TEMPLATE)
def test_renders_what_it_must_say(
    shipped: Renderer, kind: str, language: str, channel: str
) -> None:
    rendered = shipped.render(kind, language, channel, context(kind, language))
    assert (rendered.kind, rendered.language, rendered.channel) == (kind, language, channel)
    text = rendered.text
    if kind in WITH_APPOINTMENT:
        assert DATE_LONG[language] in text and "14:30" in text
    if kind != "reply_choose":  # three choices leave no room; it answers in the thread
        assert "Fysiotherapie De Linde" in text
    if kind in ASKING:
        assert "K7M3QP" in text and re.search(r"\bJA\b", text) and re.search(r"\bNEE\b", text)
    if kind in ("rescheduled", RESCHEDULED_CONFIRM):
        assert ("dinsdag 17 november" if language == "nl" else "Tuesday 17 November") in text
        assert "09:30" in text
    if kind == "reply_choose":
        for number, day in enumerate(DATE_SHORT[language], start=1):
            assert f"{number} = {day} 14:30 Behandeling" in text
    if kind == "reply_help":
        assert all(re.search(rf"\b{word}\b", text) for word in ("JA", "NEE", "STOP"))
    if kind in {
        "reply_wrong_code",
        "reply_too_late",
        "reply_help",
        "reply_no_appointment",
        "reply_failed",
        "cancelled",
        "rescheduled",
    }:
        assert "030-2345678" in text
    assert_cancelling_is_only_nee(_all_text(rendered))
    assert text == text.strip()


@pytest.mark.parametrize(("kind", "language", "channel"), EVERY_TEMPLATE)
def test_clean_text_without_a_phone_first_name_type_or_practitioner(
    shipped: Renderer, kind: str, language: str, channel: str
) -> None:
    bare = context(
        kind,
        language,
        practice_phone="",
        customer_first_name="",
        appointment_type="",
        practitioner="",
        end=None,
    )
    rendered = shipped.render(kind, language, channel, bare)
    for text in (rendered.text, rendered.subject or ""):
        # no gap where a value was left out (the e-mail's detail lines align on colons)
        assert not re.search(r" [.,;:)]|\(\)|[^:\s]  +\S|\b(op|on|via) [.,]", text), text
        assert "None" not in text


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", APPOINTMENT_KINDS)
@pytest.mark.parametrize("channel", ["sms", "email"])
def test_no_reply_invitation_when_no_reply_can_arrive(
    shipped: Renderer, kind: str, language: str, channel: str
) -> None:
    rendered = shipped.render(kind, language, channel, context(kind, language, can_reply=False))
    assert not invites_a_reply(_all_text(rendered)), _all_text(rendered)
    if kind in ASKING:
        assert "030-2345678" in rendered.text  # pointed to the phone instead


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_sms_invites_a_reply_only_when_one_can_arrive(shipped: Renderer, language: str) -> None:
    for can_reply in (True, False):
        text = shipped.render(
            "reminder", language, "sms", context("reminder", language, can_reply=can_reply)
        ).text
        assert invites_a_reply(text) is can_reply


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("action", ["confirm", "cancel", None])
def test_reply_choose_says_what_the_number_is_for(
    shipped: Renderer, language: str, action: str | None
) -> None:
    text = shipped.render(
        "reply_choose", language, "sms", context("reply_choose", language, action=action)
    ).text
    words = {
        "confirm": ("bevestigen", "confirm"),
        "cancel": ("afzeggen", "cancel"),
        None: ("Over welke", "do you mean"),
    }[action]
    assert words[LANGUAGES.index(language)] in text


def test_the_shipped_kinds_are_the_appointment_kinds_and_the_replies(
    shipped: Renderer,
) -> None:
    assert shipped.kinds() == APPOINTMENT_KINDS + REPLY_KINDS
    assert all(channels_of(kind) == ("sms",) for kind in REPLY_KINDS)


def test_the_template_text_itself_is_plain_ascii_or_gsm() -> None:
    """Literal text in SMS templates never goes through `to_gsm`: it must be GSM-7."""
    from bridge.rendering import is_gsm
    from bridge.rendering.environment import SHIPPED_TEMPLATES

    for path in SHIPPED_TEMPLATES.glob("*/*.sms.j2"):
        assert is_gsm(path.read_text(encoding="utf-8")), path


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("channel", ["sms", "email"])
def test_the_one_text_for_a_moved_pending_appointment_tells_and_asks(
    shipped: Renderer, language: str, channel: str
) -> None:
    rendered = shipped.render(RESCHEDULED_CONFIRM, language, channel,
                              context(RESCHEDULED_CONFIRM, language))
    moved, ask = ("verplaatst", "bevestig") if language == "nl" else ("moved", "confirm")
    for text in filter(None, (rendered.subject, rendered.text)):
        assert moved in text and ask in text, text
    # the old start, then the new one: the new time is the last a reader meets
    text = rendered.text
    assert text.index("09:30") < text.rindex("14:30")
    plain = shipped.render("rescheduled", language, channel, context("rescheduled", language))
    for text in filter(None, (plain.subject, plain.text)):
        assert ask not in text  # the plain notice asks nothing
