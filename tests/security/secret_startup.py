"""Start `oabridge serve` / `worker` / `config` as real processes with a given
environment, and read how they refuse: one line on stderr and a non-zero status.

Nothing here may reach a service: Redis is an address where nothing listens, and the
ingress gets a free port, so a process that wrongly starts (the old code) touches
nothing and is killed at the timeout, which fails the test.
"""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.support.asgi_server import free_port

ROOT = Path(__file__).resolve().parents[2]

#: A configuration every process accepts: each secret long, random-looking, and not
#: one the sandbox publishes.
GOOD: dict[str, str] = {
    "OABRIDGE_API_KEY": "securitytests-7f3k2q",
    "OABRIDGE_API_SECRET": "5e0c2f7d9a1b4c6e8f0a2b4c6d8e0f1a3b5c7d9e",
    "OABRIDGE_WEBHOOK_SECRET":
        "whsec_" + base64.b64encode(b"security-tests-secret-of-32bytes").decode(),
    "OABRIDGE_TRIGGER_TOKEN": "trigger-token-of-the-security-tests",
    "OABRIDGE_ADMIN_TOKEN": "admin-token-of-the-security-tests",
    "OABRIDGE_TWILIO_ACCOUNT_SID": "AC" + "5" * 32,
    "OABRIDGE_TWILIO_AUTH_TOKEN": "7c1e9a3b5d7f9b1d3f5a7c9e1b3d5f7a",
    "OABRIDGE_TWILIO_FROM": "+3197010000001",
}

COMMANDS = {
    "serve": ["serve", "--host", "127.0.0.1", "--port"],
    "worker": ["worker"],
    "config": ["config"],
}


@dataclass(frozen=True)
class Outcome:
    code: int | None  # None: still running at the timeout (it started)
    out: str
    err: str

    @property
    def one_line(self) -> str:
        lines = self.err.splitlines()
        assert len(lines) == 1 and self.out == "", (self.code, self.out, self.err)
        return lines[0]


def environment(**changes: str) -> dict[str, str]:
    """This process's environment without its `OABRIDGE_*`, with `GOOD` and `changes`
    (keys without the prefix, e.g. TRIGGER_TOKEN="x"); Redis where nothing listens."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OABRIDGE_")}
    env.update(GOOD)
    env["OABRIDGE_REDIS_URL"] = f"redis://127.0.0.1:{free_port()}/0"
    env.update({f"OABRIDGE_{name}": value for name, value in changes.items()})
    return env


def start(command: str, env: dict[str, str], timeout: float = 20) -> Outcome:
    """Run `oabridge <command>` until it exits, or kill it at `timeout`."""
    argv = COMMANDS[command] + ([str(free_port())] if command == "serve" else [])
    process = subprocess.Popen(
        [sys.executable, "-m", "bridge.cli.main", *argv], cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        return Outcome(None, out, err)
    return Outcome(process.returncode, out, err)


def refusal(command: str, env: dict[str, str]) -> str:
    """The one line `command` refuses to start with (it must exit with status 2)."""
    outcome = start(command, env)
    assert outcome.code == 2, f"{command} did not refuse: {outcome}"
    return outcome.one_line
