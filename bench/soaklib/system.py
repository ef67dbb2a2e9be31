"""The system under test as separate processes: sandbox, ingress, workers.

Each process runs in a session of its own, and a kill takes the whole session: RQ's
work horse puts itself in a process group of its own (`os.setpgrp`), so a SIGKILL to
the worker's group alone would leave the horse running its job, which a pod's death
does not. Redis's processes are `redis_servers`'.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    log: IO[bytes]

    def alive(self) -> bool:
        return self.popen.poll() is None

    def kill(self) -> None:
        """SIGKILL to every process of its session: no warm shutdown, no clean-up."""
        kill_session(self.popen.pid)
        self.popen.wait()
        self.log.close()

    def stop(self, seconds: float = 20) -> None:
        if self.alive():
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(seconds)
            except subprocess.TimeoutExpired:
                self.kill()
                return
        kill_session(self.popen.pid)  # a horse its worker left behind
        self.log.close()


class System:
    def __init__(self, workdir: Path, environ: Mapping[str, str]) -> None:
        self.workdir = workdir
        self.logs = workdir / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.environ = dict(environ)
        self.sandbox: Process | None = None
        self.ingress: Process | None = None
        self.workers: list[Process] = []
        self._serial = 0

    def _start(self, name: str, arguments: list[str]) -> Process:
        self._serial += 1
        log = (self.logs / f"{name}-{self._serial}.log").open("ab")
        popen = subprocess.Popen(
            [sys.executable, "-m", "bridge.cli.main", *arguments], cwd=ROOT,
            env=self.environ, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        return Process(name, popen, log)

    def start_sandbox(self, arguments: list[str], health_url: str) -> None:
        self.sandbox = self._start("sandbox", ["sandbox", *arguments])
        wait_until_answering(self.sandbox, health_url)

    def start_ingress(self, port: int) -> None:
        self.ingress = self._start("ingress", ["serve", "--host", "127.0.0.1", "--port",
                                               str(port)])
        wait_until_answering(self.ingress, f"http://127.0.0.1:{port}/healthz")

    def start_worker(self) -> None:
        self.workers.append(self._start("worker", ["worker"]))

    def kill_worker(self, index: int) -> None:
        self.workers.pop(index).kill()

    def trigger_poll(self) -> None:
        """What a Kubernetes CronJob would run: `oabridge poll`."""
        subprocess.run([sys.executable, "-m", "bridge.cli.main", "poll"], cwd=ROOT,
                       env=self.environ, capture_output=True, timeout=60, check=False)

    def dead(self) -> list[str]:
        """Processes that died of themselves (not killed by the soak)."""
        every = [p for p in (self.sandbox, self.ingress, *self.workers) if p is not None]
        return [f"{p.name} (exit {p.popen.returncode})" for p in every if not p.alive()]

    def stop_all(self) -> None:
        if self.ingress is not None:
            self.ingress.stop()
        for worker in self.workers:
            worker.stop()
        if self.sandbox is not None:
            self.sandbox.stop()


def session_members(sid: int) -> list[int]:
    """The live processes of session `sid` (zombies left out: they are dead already)."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        pid = int(entry.name)
        try:
            if os.getsid(pid) != sid:
                continue
            stat = (entry / "stat").read_text()
        except (ProcessLookupError, PermissionError, FileNotFoundError):
            continue
        if stat.rsplit(")", 1)[1].split()[0] != "Z":
            members.append(pid)
    return members


def kill_session(sid: int) -> None:
    """SIGKILL every process of session `sid` (its leader's pid), again until none is
    left: a process that forked while the first round ran is caught by the next."""
    for _ in range(50):
        members = session_members(sid)
        if not members:
            return
        for pid in sorted(members, key=lambda p: p != sid):  # the leader first: no more forks
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.01)  # let the kernel finish them before looking again


def wait_until_answering(process: Process, url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not process.alive():
            raise RuntimeError(f"{process.name} exited at start; see its log")
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{process.name} did not answer on {url}")
