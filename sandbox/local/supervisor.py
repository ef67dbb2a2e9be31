"""Starting the local system's processes, watching them, and stopping them cleanly.

Children run in `oabridge up`'s own process group, so Ctrl-C in a terminal reaches
every one of them at once; a SIGTERM to `oabridge up` is passed on. The ingress
stops first (nothing new is accepted), then the workers (RQ's warm shutdown finishes
the job in hand), then the sandbox. Each child's output goes to a log file in the
state folder, so the terminal shows only what the demo is about. Should `up` die
without stopping them, each gets SIGTERM from the kernel (`lifetime.py`, Linux).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx

from sandbox.local.lifetime import die_with_parent

__all__ = ["Child", "Supervisor"]


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]
    log_path: Path
    log: IO[bytes]


class Supervisor:
    def __init__(self, environ: Mapping[str, str], log_dir: Path) -> None:
        self.environ = dict(environ)
        self.log_dir = log_dir
        self.children: list[Child] = []
        log_dir.mkdir(parents=True, exist_ok=True)

    def start(self, name: str, arguments: Sequence[str]) -> Child:
        log_path = self.log_dir / f"{name}.log"
        log = log_path.open("ab")
        process = subprocess.Popen(
            [sys.executable, "-m", "bridge.cli.main", *arguments],
            env=self.environ, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            preexec_fn=die_with_parent(),
        )
        child = Child(name, process, log_path, log)
        self.children.append(child)
        return child

    def wait_until_answering(self, child: Child, url: str, seconds: float = 30) -> None:
        """Wait for a child to serve HTTP (not for time to pass: it polls its port)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if child.process.poll() is not None:
                said = _last_line(child.log_path)
                raise RuntimeError(f"{child.name} exited at start{': ' + said if said else ''}; "
                                   f"see {child.log_path}")
            try:
                if httpx.get(url, timeout=1).status_code < 500:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{child.name} did not answer on {url}; see {child.log_path}")

    def exited(self) -> Child | None:
        return next((c for c in self.children if c.process.poll() is not None), None)

    def stop(self, seconds: float = 30) -> dict[str, int]:
        """Stop every child, most downstream first; returns their exit codes."""
        order = sorted(self.children, key=lambda c: {"ingress": 0, "worker": 1}.get(c.name, 2))
        codes: dict[str, int] = {}
        for child in order:
            if child.process.poll() is None:
                child.process.send_signal(signal.SIGTERM)
            try:
                codes[child.name] = child.process.wait(timeout=seconds)
            except subprocess.TimeoutExpired:
                child.process.kill()
                codes[child.name] = child.process.wait()
            child.log.close()
        return codes

    @staticmethod
    def ignore_interrupts_briefly() -> None:
        """While stopping, a second Ctrl-C or SIGTERM must not leave children behind
        (should the stop hang, SIGKILL still ends `up`, and the kernel its children)."""
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)

    def pids(self) -> dict[str, int]:
        """Each child's process id, by name."""
        return {child.name: child.process.pid for child in self.children}


def _last_line(log_path: Path) -> str:
    """What a child said last: a refused setting is one line, worth showing at once."""
    try:
        lines = log_path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    said = [line.strip() for line in lines if line.strip()]
    return said[-1] if said else ""
