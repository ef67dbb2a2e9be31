"""The templates view: every kind × language × channel rendered with sample data.

What `oabridge templates preview` shows one at a time, all at once: for SMS the
encoding and segment count (also for the longest realistic names, the budget the
shipped texts keep to), for e-mail the subject and text. An operator's template that
does not render (a `RenderError`, or any Python error its expressions raise) shows
its error in its own row and the rest of the page still renders: one typo must not
hide every other preview.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from bridge.domain.channels import ChannelPolicy, parse_channel_policy
from bridge.domain.messages import MessageKind
from bridge.outbound.contacts import LANGUAGES
from bridge.rendering import KINDS, RESCHEDULED_CONFIRM, Renderer, RenderError, channels_of
from bridge.settings import Settings

__all__ = ["Preview", "preview_count", "previews"]


@dataclass(frozen=True, slots=True)
class Preview:
    kind: str
    language: str
    channel: str
    #: The language actually used, when the renderer fell back to the default.
    fallback: str = ""
    subject: str = ""
    text: str = ""
    has_html: bool = False
    encoding: str = ""
    segments: int = 0
    characters: int = 0
    longest_segments: int = 0
    error: str = ""


def _can_reply(settings: Settings, kind: str, channel: str) -> bool:
    """`can_reply` as the send job decides it for a customer with a mobile number and an
    e-mail address: an SMS from a sender that takes replies can be answered; an e-mail
    only when the same message also goes by SMS (the kind's policy is `both`)."""
    if not settings.sender_takes_replies or channel == "sms":
        return settings.sender_takes_replies
    kinds = {k.value: k for k in MessageKind} | {RESCHEDULED_CONFIRM: MessageKind.RESCHEDULED}
    policy = parse_channel_policy(settings.channels).get(kinds[kind]) if kind in kinds else None
    return policy is ChannelPolicy.BOTH


def _render(renderer: Renderer, settings: Settings, kind: str, language: str, channel: str,
            longest: bool = False) -> Preview:
    context = renderer.sample_context(kind, language, longest=longest)
    context = replace(
        context,
        can_reply=_can_reply(settings, kind, channel),
        practice_name=settings.practice_name or context.practice_name,
        practice_phone=settings.practice_phone or context.practice_phone,
    )
    rendered = renderer.render(kind, language, channel, context)
    cost = rendered.cost
    return Preview(
        kind, language, channel,
        fallback=rendered.language if rendered.language != language else "",
        subject=rendered.subject or "",
        text=rendered.text,
        has_html=rendered.html is not None,
        encoding=cost.encoding.value if cost else "",
        segments=cost.segments if cost else 0,
        characters=cost.characters if cost else 0,
    )


def _preview(renderer: Renderer, settings: Settings, kind: str, language: str,
             channel: str) -> Preview:
    try:
        typical = _render(renderer, settings, kind, language, channel)
        if channel != "sms":
            return typical
        longest = _render(renderer, settings, kind, language, channel, longest=True)
    except RenderError as exc:
        return Preview(kind, language, channel, error=str(exc))
    except Exception as exc:  # e.g. {{ 1 / 0 }}: Jinja passes Python's own errors through
        return Preview(kind, language, channel, error=f"{type(exc).__name__}: {exc}")
    return replace(typical, longest_segments=longest.segments)


def preview_count() -> int:
    """How many previews the templates page shows (without rendering them)."""
    return len(LANGUAGES) * sum(len(channels_of(kind)) for kind in KINDS)


def previews(settings: Settings) -> tuple[list[Preview], str]:
    """Every preview, or no previews and why when the template folder itself is unusable."""
    try:
        renderer = Renderer(
            templates_dir=Path(settings.templates_dir) if settings.templates_dir else None,
            tz=settings.tz,
            default_language=settings.default_language,
        )
    except ValueError as exc:
        return [], str(exc)
    return [
        _preview(renderer, settings, kind, language, channel)
        for kind in KINDS
        for language in LANGUAGES
        for channel in channels_of(kind)
    ], ""
