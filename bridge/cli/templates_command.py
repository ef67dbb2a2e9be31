"""`oabridge templates`: the message kinds, and a preview of one with sample data.

An operator who writes their own templates (`OABRIDGE_TEMPLATES_DIR`) sees here what a
customer will get, and for SMS what it costs: the encoding (one character outside
GSM-7 makes it UCS-2) and the number of segments. `--longest` fills in the longest
realistic names, which is what the shipped SMS texts are budgeted against.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from bridge.rendering import CHANNELS, KINDS, Renderer, RenderError, channels_of
from bridge.settings import Settings, load_settings

__all__ = ["add_command", "main"]


def add_command(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "templates", help="list the message kinds, or preview one with sample data"
    )
    _configure(parser)


def main(argv: Sequence[str] | None = None) -> int:
    """`oabridge templates …` on its own (tests call this with argv)."""
    parser = argparse.ArgumentParser(prog="oabridge templates")
    _configure(parser)
    args = parser.parse_args(argv)
    code: int = args.func(args)
    return code


def _configure(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="templates_action", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="the message kinds and their channels")
    listing.set_defaults(func=run_list)
    preview = actions.add_parser("preview", help="render one kind with sample data")
    preview.add_argument("kind", choices=KINDS, metavar="KIND", help=", ".join(KINDS))
    preview.add_argument("--lang", help="nl or en (default: OABRIDGE_DEFAULT_LANGUAGE)")
    preview.add_argument("--channel", choices=CHANNELS, default="sms")
    preview.add_argument(
        "--no-reply",
        action="store_true",
        help="as for a customer who cannot answer by SMS (an alphanumeric sender ID, or an "
        "e-mail to a customer without a mobile number or who sent STOP): no reply invited",
    )
    preview.add_argument(
        "--longest", action="store_true", help="the longest realistic names and values"
    )
    preview.set_defaults(func=run_preview)


def run_list(_args: argparse.Namespace) -> int:
    renderer = _renderer(load_settings())
    width = max(len(kind) for kind in renderer.kinds())
    for kind in renderer.kinds():
        print(f"{kind.ljust(width)}  {', '.join(channels_of(kind))}")
    print("\ntemplates from: " + ", then ".join(str(folder) for folder in renderer.folders))
    unused = renderer.unused_templates()
    if unused:
        print("\nnot used (ignored):")
        for template in unused:
            print(f"  {template.path}: {template.why}")
    return 0


def run_preview(args: argparse.Namespace) -> int:
    settings = load_settings()
    if args.channel not in channels_of(args.kind):
        print(f"oabridge: {args.kind} has no {args.channel} template", file=sys.stderr)
        return 2
    try:
        renderer = _renderer(settings)
        language = args.lang or settings.default_language
        context = renderer.sample_context(args.kind, language, longest=args.longest)
        context = replace(
            context,
            can_reply=not args.no_reply,
            practice_name=settings.practice_name or context.practice_name,
            practice_phone=settings.practice_phone or context.practice_phone,
        )
        rendered = renderer.render(args.kind, language, args.channel, context)
    except (RenderError, ValueError) as exc:
        print(f"oabridge: {exc}", file=sys.stderr)
        return 1
    print(f"{rendered.kind} ({rendered.language}, {rendered.channel})\n")
    if rendered.cost is not None:
        print(rendered.text)
        cost = rendered.cost
        print(f"\n{cost.encoding.value}, {cost.segments} segment(s), {cost.characters} characters")
        return 0
    print(f"Subject: {rendered.subject}\n\n--- text ---\n{rendered.text}")
    print(f"\n--- html ---\n{rendered.html or '(none: the e-mail goes out as text only)'}")
    return 0


def _renderer(settings: Settings) -> Renderer:
    return Renderer(
        templates_dir=Path(settings.templates_dir) if settings.templates_dir else None,
        tz=settings.tz,
        default_language=settings.default_language,
    )
