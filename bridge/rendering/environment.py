"""The Jinja2 environments messages render in: sandboxed, strict, and per channel.

- Sandboxed: operators write templates, and a template must not reach Python
  internals through attributes of the values it is given.
- `StrictUndefined`: a misspelt variable fails the render instead of leaving a gap.
- `trim_blocks`/`lstrip_blocks`: a line holding only `{% if %}` leaves nothing behind.
- SMS: every `{{ … }}` passes through `to_gsm` (the `finalize` hook), so customer data
  cannot turn a message into expensive UCS-2 when a GSM-7 spelling exists.
- E-mail: autoescape for `*.html.j2` only; the text part and SMS are never escaped.

Templates load from the operator's folder first (`OABRIDGE_TEMPLATES_DIR`), then the
shipped folder, `templates/` beside the `bridge` package: oabridge runs from its
source tree or its container image, which both hold it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import BaseLoader, ChoiceLoader, FileSystemLoader, StrictUndefined, select_autoescape
from jinja2.sandbox import SandboxedEnvironment

import bridge
from bridge.rendering.formatting import date_filters
from bridge.rendering.gsm import to_gsm

__all__ = ["SHIPPED_TEMPLATES", "email_environment", "search_path", "sms_environment"]

SHIPPED_TEMPLATES = Path(bridge.__file__).resolve().parents[1] / "templates"


def search_path(templates_dir: Path | None) -> tuple[Path, ...]:
    """The folders templates are looked up in, first match wins."""
    if templates_dir is None:
        return (SHIPPED_TEMPLATES,)
    return (templates_dir.resolve(), SHIPPED_TEMPLATES)


def sms_environment(folders: tuple[Path, ...], tz: ZoneInfo) -> SandboxedEnvironment:
    return _environment(folders, tz, autoescape=False, finalize=_gsm_finalize)


def email_environment(folders: tuple[Path, ...], tz: ZoneInfo) -> SandboxedEnvironment:
    autoescape = select_autoescape(enabled_extensions=("html.j2",), default=False)
    return _environment(folders, tz, autoescape=autoescape, finalize=None)


def _environment(
    folders: tuple[Path, ...], tz: ZoneInfo, *, autoescape: Any, finalize: Any
) -> SandboxedEnvironment:
    loader: BaseLoader = ChoiceLoader(
        [FileSystemLoader(folder, encoding="utf-8") for folder in folders]
    )
    environment = SandboxedEnvironment(
        loader=loader,
        undefined=StrictUndefined,
        autoescape=autoescape,
        finalize=finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        auto_reload=False,  # compiled once per process: edit, then restart the workers
        cache_size=-1,
    )
    environment.filters.update(date_filters(tz))
    return environment


def _gsm_finalize(value: Any) -> Any:
    return to_gsm(value) if isinstance(value, str) else value
