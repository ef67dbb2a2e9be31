"""`RenderError`: a message template that cannot produce its text, named with the problem.

A broken operator template must fail loudly and point at itself: a missing template,
a syntax error, an undefined variable (templates run with `StrictUndefined`) or a
value a filter cannot format. Jinja's own exceptions do not always say which template
(an undefined variable, say), so `render_error` reads that from the traceback, where
Jinja puts the template's file and line.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

from jinja2 import TemplateError, TemplateNotFound, TemplateSyntaxError

__all__ = ["RenderError", "render_error"]


class RenderError(TemplateError):
    """A message could not be rendered: `template` (a loader name) and `problem` say why."""

    def __init__(self, template: str, problem: str, line: int | None = None) -> None:
        where = f"{template}, line {line}" if line else template
        super().__init__(f"template {where}: {problem}")
        self.template = template
        self.problem = problem
        self.line = line

    def __reduce__(self) -> tuple[type[RenderError], tuple[str, str, int | None]]:
        return (type(self), (self.template, self.problem, self.line))


def render_error(exc: TemplateError, template: str, folders: Sequence[Path]) -> RenderError:
    """`exc`, raised while rendering `template`, as a `RenderError` naming where it is."""
    if isinstance(exc, RenderError):
        return exc
    if isinstance(exc, TemplateNotFound):
        searched = ", ".join(str(folder) for folder in folders)
        return RenderError(str(exc.name), f"not found (searched {searched})")
    if isinstance(exc, TemplateSyntaxError):
        return RenderError(exc.name or template, f"syntax error: {exc.message}", exc.lineno)
    name, line = _template_frame(exc.__traceback__, folders)
    return RenderError(name or template, exc.message or type(exc).__name__, line)


def _template_frame(
    tb: TracebackType | None, folders: Sequence[Path]
) -> tuple[str | None, int | None]:
    """The innermost traceback frame that runs template code: (loader name, line)."""
    found: tuple[str | None, int | None] = (None, None)
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        for folder in folders:
            path = Path(filename)
            if path.is_relative_to(folder):
                found = (path.relative_to(folder).as_posix(), tb.tb_lineno)
        tb = tb.tb_next
    return found
