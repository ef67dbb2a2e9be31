"""The send path's view of the templates: message facts in, subject and text out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import structlog

from bridge.domain.channels import Channel
from bridge.rendering import MessageContext, Renderer
from bridge.sending.facts import MessageFacts
from bridge.settings import Settings

__all__ = ["Render", "RenderedText", "context_of", "render_with", "renderer_for"]

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class RenderedText:
    subject: str | None
    text: str
    html: str | None


Render = Callable[[MessageFacts, Channel], RenderedText]


def context_of(facts: MessageFacts) -> MessageContext:
    return MessageContext(
        customer_first_name=facts.customer_first_name,
        customer_name=facts.customer_name,
        start=facts.start,
        end=facts.end,
        previous_start=facts.previous_start,
        appointment_type=facts.appointment_type,
        practitioner=facts.practitioner,
        practice_name=facts.practice_name,
        practice_phone=facts.practice_phone,
        confirmation_code=facts.confirmation_code,
        can_reply=facts.can_reply,
    )


def renderer_for(settings: Settings) -> Renderer:
    """The renderer a process sends with; files in the operator's folder that no message
    uses (e.g. a `reply_opted_out` from an earlier version) are logged, not refused."""
    renderer = Renderer(
        templates_dir=Path(settings.templates_dir) if settings.templates_dir else None,
        tz=settings.tz,
        default_language=settings.default_language,
    )
    for template in renderer.unused_templates():
        log.warning("template_not_used", template=template.path, why=template.why)
    return renderer


def render_with(renderer: Renderer) -> Render:
    def render(facts: MessageFacts, channel: Channel) -> RenderedText:
        rendered = renderer.render(facts.kind, facts.language, channel.value, context_of(facts))
        return RenderedText(rendered.subject, rendered.text, rendered.html)

    return render
