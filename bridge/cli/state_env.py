"""The running demo's settings, for commands typed in a second terminal.

`oabridge up` gives its processes a whole environment of their own (the sandbox's
addresses and demo credentials, its Redis, its offsets), which a second terminal does
not have: `oabridge config` there printed the defaults, `oabridge messages` looked at
another Redis. So `up` writes the `OABRIDGE_` variables it runs with to `env` in its
state folder (mode 600: it holds the demo's tokens), in shell syntax, and removes the
file when it stops. The operator commands (`config`, `messages`, `jobs`, `poll`,
`sandbox sms`), when the environment sets no `OABRIDGE_` variable and `./.oabridge/env`
exists, read their settings from it, and say so in one line on stderr. A demo with
another state folder is reached with `set -a; . <state>/env; set +a`.
"""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

from bridge.settings import ENV_PREFIX

__all__ = ["DEFAULT_STATE_DIR", "ENV_FILE", "command_environ", "demo_value", "read", "remove",
           "write"]

DEFAULT_STATE_DIR = Path(".oabridge")
ENV_FILE = "env"


def write(state_dir: Path, environ: Mapping[str, str]) -> Path:
    """Write the `OABRIDGE_` variables of `environ` to `<state_dir>/env`, owner-only."""
    path = state_dir / ENV_FILE
    lines = ["# Written by `oabridge up` while it runs; removed when it stops.\n"]
    lines += [f"{name}={shlex.quote(value)}\n" for name, value in sorted(environ.items())
              if name.startswith(ENV_PREFIX)]
    state_dir.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)  # created afresh, so the mode below is the file's
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.writelines(lines)
    return path


def remove(state_dir: Path) -> None:
    (state_dir / ENV_FILE).unlink(missing_ok=True)


def read(path: Path) -> dict[str, str]:
    """The variables of a file `write` wrote (blank lines and comments skipped)."""
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, quoted = line.partition("=")
            parts = shlex.split(quoted)
            values[name.strip()] = parts[0] if parts else ""
    return values


def _demo_file(environ: Mapping[str, str], cwd: Path | None) -> Path | None:
    if any(name.upper().startswith(ENV_PREFIX) for name in environ):
        return None
    path = (cwd or Path.cwd()) / DEFAULT_STATE_DIR / ENV_FILE
    return path if path.is_file() else None


def command_environ(environ: Mapping[str, str] | None = None, *, cwd: Path | None = None,
                    say: TextIO | None = None) -> Mapping[str, str]:
    """Where an operator command's settings come from: this process's environment, or,
    when it sets no `OABRIDGE_` variable and a demo runs here, the demo's."""
    env = os.environ if environ is None else environ
    path = _demo_file(env, cwd)
    if path is None:
        return env
    print(f"oabridge: using the settings of the demo that `oabridge up` runs here "
          f"({DEFAULT_STATE_DIR / ENV_FILE}); set any OABRIDGE_ variable to use your own",
          file=say or sys.stderr)
    return {**env, **read(path)}


def demo_value(name: str, *, cwd: Path | None = None) -> str:
    """One variable of the demo running here ("" if none runs or it lacks the variable),
    for a default that only makes sense next to the demo (the sandbox's address)."""
    path = _demo_file(os.environ, cwd)
    return read(path).get(name, "") if path is not None else ""
