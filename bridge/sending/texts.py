"""The send path's view of the templates: a message's facts in, its text out and logged.

A message is in the message log before it is rendered (`bridge.sending.delivery`), so
a template that cannot render (an operator's typo, say) shows up there: the message
`failed`, with the `RenderError` naming the template, its line and the problem. Such
an error is permanent for that message, never retried: the same template fails the
same way. The other messages go on.
"""

from __future__ import annotations

import structlog

from bridge.domain.channels import Channel
from bridge.rendering import Rendered, RenderError
from bridge.sending.facts import MessageFacts
from bridge.sending.services import SendingServices

__all__ = ["render", "unrenderable"]

log = structlog.get_logger(__name__)


def render(sv: SendingServices, message_id: str, facts: MessageFacts,
           channel: Channel) -> Rendered:
    """Render the logged message `message_id` and keep its text in the log; raises
    `RenderError`."""
    rendered = sv.renderer.render(facts.kind, facts.language, channel.value, facts.context)
    sv.messages.update(message_id, text=rendered.text, subject=rendered.subject or "")
    return rendered


def unrenderable(sv: SendingServices, message_id: str, exc: RenderError) -> None:
    """Record on a claimed message that its template does not render: failed for good."""
    sv.claims.finish(message_id, "failed")
    sv.messages.advance(message_id, "failed", sv.clock.now(), detail=str(exc))
    # The problem may quote a customer's value: it stays in the log record, not here.
    log.error("message_not_rendered", message=message_id, template=exc.template,
              line=exc.line)
