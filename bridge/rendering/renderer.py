"""`Renderer`: a message kind, a language, a channel and a context in; ready text out.

Built once per process and reused: Jinja compiles each template on first use and
keeps it. Which template renders:

1. the operator's folder, then the shipped one (per file: an override wins, a file
   the operator did not write falls back to the shipped one);
2. the customer's language ("nl", "en", "en-GB" → "en"), and when no folder has the
   kind's template in that language, the default language. An e-mail's language is
   the one its text part was found in; its HTML part must be in the same language
   or the e-mail goes out as text only.

The e-mail subject is the `subject` block of the text template, so it is written
once; the HTML template receives it rendered, as `subject`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Template, TemplateError, TemplateNotFound
from jinja2.sandbox import SandboxedEnvironment

from bridge.rendering.context import MessageContext
from bridge.rendering.cost import SmsCost, sms_cost
from bridge.rendering.environment import email_environment, search_path, sms_environment
from bridge.rendering.errors import RenderError, render_error
from bridge.rendering.kinds import CHANNELS, EMAIL, KINDS, SMS, template_name
from bridge.rendering.samples import sample_context
from bridge.rendering.unused import UnusedTemplate, unused_templates

__all__ = ["Rendered", "Renderer"]

_LANGUAGE = re.compile(r"[a-z]{2,3}")


@dataclass(frozen=True, slots=True)
class Rendered:
    """One rendered message. `language` is the one used (after any fallback)."""

    kind: str
    language: str
    channel: str
    subject: str | None
    text: str
    html: str | None
    cost: SmsCost | None


class Renderer:
    """Renders messages from the operator's and the shipped templates; see the module."""

    def __init__(
        self, *, templates_dir: Path | None, tz: ZoneInfo, default_language: str = "nl"
    ) -> None:
        if templates_dir is not None and not templates_dir.is_dir():
            raise ValueError(f"templates folder {templates_dir} does not exist")
        self.tz = tz
        self.default_language = default_language
        self.templates_dir = templates_dir
        self.folders = search_path(templates_dir)
        self._sms = sms_environment(self.folders, tz)
        self._email = email_environment(self.folders, tz)

    def kinds(self) -> tuple[str, ...]:
        """The shipped message kinds (operators may override, not add)."""
        return KINDS

    def unused_templates(self) -> tuple[UnusedTemplate, ...]:
        """The operator's files no message renders (ignored, never an error), and why."""
        return unused_templates(self.templates_dir)

    def sample_context(self, kind: str, language: str, *, longest: bool = False) -> MessageContext:
        """Realistic data for `kind`, for previews and tests; `longest`: the longest values."""
        return sample_context(kind, language, self.tz, longest=longest)

    def render(self, kind: str, language: str, channel: str, context: MessageContext) -> Rendered:
        """The message `kind` for a customer reading `language`, on `channel`.

        Raises `RenderError` naming the template when it is missing, does not parse,
        uses a name the context does not have, or a filter cannot format a value.
        """
        if channel not in CHANNELS:
            raise ValueError(f"channel must be one of {CHANNELS}, not {channel!r}")
        environment = self._sms if channel == SMS else self._email
        name = template_name(self.default_language, kind, channel)
        try:
            lang, template = self._find(environment, kind, language, channel)
            name = template.name or name
            variables = {**context.template_variables(), "language": lang}
            if channel == SMS:
                text = _clean(template.render(variables))
                return Rendered(kind, lang, SMS, None, text, None, sms_cost(text))
            subject = _subject(template, variables)
            text = _clean(template.render(variables))
            html = self._html(kind, lang, {**variables, "subject": subject})
        except TemplateError as exc:
            raise render_error(exc, name, self.folders) from exc
        return Rendered(kind, lang, EMAIL, subject, text, html, None)

    def _find(
        self, environment: SandboxedEnvironment, kind: str, language: str, channel: str
    ) -> tuple[str, Template]:
        wanted = _language_code(language) or self.default_language
        languages = dict.fromkeys((wanted, self.default_language))
        for lang in languages:
            name = template_name(lang, kind, channel)
            try:
                return lang, environment.get_template(name)
            except TemplateNotFound as exc:
                if exc.name != name:
                    raise
        tried = " or ".join(template_name(lang, kind, channel) for lang in languages)
        raise TemplateNotFound(tried)

    def _html(self, kind: str, language: str, variables: dict[str, Any]) -> str | None:
        name = template_name(language, kind, EMAIL, "html")
        try:
            template = self._email.get_template(name)
        except TemplateNotFound as exc:
            if exc.name != name:
                raise
            return None
        try:
            return template.render(variables).strip() + "\n"
        except TemplateError as exc:
            raise render_error(exc, name, self.folders) from exc


def _language_code(language: str) -> str:
    """The base language of "nl", "NL", "nl-BE", "en_GB"; "" for anything else."""
    base = re.split(r"[-_]", language.strip().lower(), maxsplit=1)[0]
    return base if _LANGUAGE.fullmatch(base) else ""


def _subject(template: Template, variables: dict[str, Any]) -> str:
    block = template.blocks.get("subject")
    if block is None:
        raise RenderError(str(template.name), "has no {% block subject %}")
    return " ".join("".join(block(template.new_context(variables))).split())


def _clean(text: str) -> str:
    """Without trailing spaces on lines, blank lines at the ends, or runs of blank lines."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
