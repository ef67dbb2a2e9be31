"""Readable process titles: `ps` shows `oabridge: worker`, not `python -m bridge.cli.main
worker` (for every long-running command: serve, worker, sandbox, up).

`setproctitle` rewrites the title Linux and `ps` show; without it installed the title
stays as it was, which is a cosmetic loss only.
"""

from __future__ import annotations

__all__ = ["set_title"]


def set_title(title: str) -> None:
    try:
        from setproctitle import setproctitle
    except ImportError:  # an older install without it: nothing but `ps` is affected
        return
    setproctitle(title)
