"""Shared test data for rendering: a renderer, contexts, and what the texts must say."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bridge.rendering import MessageContext, Renderer
from bridge.rendering.samples import sample_context

AMS = ZoneInfo("Europe/Amsterdam")
LANGUAGES = ("nl", "en")

NAMES_WITH_DIACRITICS = ("Daniëlle", "Zoë", "Chloë", "Sébastien", "İlayda", "Łukasz")
NO_MAPPING_NAME = "王芳"

DATE_LONG = {"nl": "dinsdag 24 november", "en": "Tuesday 24 November"}
DATE_SHORT = {"nl": ("di 24 nov", "di 1 dec", "di 8 dec"),
              "en": ("Tue 24 Nov", "Tue 1 Dec", "Tue 8 Dec")}  # fmt: skip


def context(
    kind: str, language: str = "nl", *, longest: bool = False, **changes: Any
) -> MessageContext:
    """The sample context of `kind`, changed by keyword."""
    return replace(sample_context(kind, language, AMS, longest=longest), **changes)


def renderer(**changes: Any) -> Renderer:
    options: dict[str, Any] = {"templates_dir": None, "tz": AMS, "default_language": "nl"}
    return Renderer(**(options | changes))


def local(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=AMS)


_STOP_AS_OPT_OUT = re.compile(
    r"STOP (= geen sms meer|= no more texts|om geen sms meer te ontvangen"
    r"|to stop receiving texts)"
)
_REPLY_INVITATION = re.compile(r"\b(JA|NEE|STOP|START)\b|[Aa]ntwoord|[Rr]eply")


def assert_cancelling_is_only_nee(text: str) -> None:
    """No carrier opt-out word is offered as a way to cancel; STOP only as opt-out."""
    assert "CANCEL" not in text
    assert "ANNULEREN" not in text.upper()
    for match in re.finditer(r"\bSTOP\b", text):
        assert _STOP_AS_OPT_OUT.match(text, match.start()), text


def invites_a_reply(text: str) -> bool:
    return bool(_REPLY_INVITATION.search(text))
