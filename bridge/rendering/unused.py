"""Files in the operator's templates folder that no message uses, and why.

The renderer loads a template only when a message of its kind goes out, so a file no
kind uses (a misspelt name, a file outside a language folder, a kind earlier versions
had) never breaks start-up, and would never be noticed either. This lists them, so
`oabridge templates list` and the worker's start-up log can say so.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bridge.rendering.kinds import EMAIL, KINDS, RETIRED_KINDS, SMS, channels_of

__all__ = ["UnusedTemplate", "unused_templates"]

_SUFFIXES = {".sms.j2": SMS, ".email.txt.j2": EMAIL, ".email.html.j2": EMAIL}


@dataclass(frozen=True, slots=True)
class UnusedTemplate:
    path: str
    """Relative to the folder, e.g. `nl/reply_opted_out.sms.j2`."""
    why: str


def unused_templates(folder: Path | None) -> tuple[UnusedTemplate, ...]:
    """Every `*.j2` file under `folder` that no message renders, sorted by path.

    Files whose name starts with `_` are layouts and parts that other templates
    include; they count as used.
    """
    if folder is None or not folder.is_dir():
        return ()
    found: list[UnusedTemplate] = []
    for path in sorted(folder.rglob("*.j2")):
        relative = path.relative_to(folder)
        why = _why_unused(relative)
        if why:
            found.append(UnusedTemplate(relative.as_posix(), why))
    return tuple(found)


def _why_unused(relative: Path) -> str:
    name = relative.name
    if name.startswith("_"):
        return ""
    if len(relative.parts) != 2:
        return "not in a language folder: templates live in e.g. nl/reminder.sms.j2"
    for suffix, channel in _SUFFIXES.items():
        if name.endswith(suffix):
            kind = name[: -len(suffix)]
            if kind in RETIRED_KINDS:
                return RETIRED_KINDS[kind]
            if kind in KINDS and channel in channels_of(kind):
                return ""
            if kind in KINDS:
                return f"{kind} has no {channel} message"
            return f"no message kind {kind!r} (see `oabridge templates list`)"
    return "not a message template name (KIND.sms.j2, KIND.email.txt.j2, KIND.email.html.j2)"
