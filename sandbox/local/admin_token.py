"""The demo's operator-page token: made once per state folder and kept there.

The page (`/admin`) is on only when `OABRIDGE_ADMIN_TOKEN` is set; the demo sets it so
the page can be tried, with a token of its own rather than a well-known one: the
ingress listens on a port other users of the machine can reach. Kept in
`<state>/admin-token` (mode 600), so a login survives restarts of the demo.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

__all__ = ["admin_token"]

FILE = "admin-token"


def admin_token(state_dir: Path) -> str:
    path = state_dir / FILE
    if path.is_file():
        token = path.read_text(encoding="utf-8").strip()
        if token:
            return token
    state_dir.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(18)
    path.unlink(missing_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(token + "\n")
    return token
