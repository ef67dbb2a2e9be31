"""Turning a view's rows into an HTML answer: one Jinja environment, strict headers.

Autoescaping is on for every template, and undefined names fail (`StrictUndefined`),
so a typo in a template is an error in the tests, not a blank cell in production.
The answers forbid caching (they hold personal data, however masked), framing, and
any script, plug-in or off-site request (the page needs none: no JavaScript at all).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.responses import HTMLResponse

__all__ = ["NAV", "SECURITY_HEADERS", "page"]

_ENV = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)

#: The pages in the navigation: (path relative to /admin/, title).
NAV = (
    ("", "Overview"),
    ("messages", "Messages"),
    ("conversations", "Conversations"),
    ("inbox", "Inbox"),
    ("upcoming", "Upcoming"),
    ("failed", "Failed jobs"),
    ("templates", "Templates"),
)

SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


def page(template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """`template` rendered with `context`; every page gets the navigation and no CSRF
    token unless the caller passes one (the logged-out pages have no forms that need it).
    """
    values = {"nav": NAV, "csrf": "", "current": "", **context}
    html = _ENV.get_template(template).render(values)
    return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)
