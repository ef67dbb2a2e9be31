"""The soak's attacks on its processes: a random worker SIGKILLed every few seconds (and
a new one started), and the ingress SIGKILLed three times and kept down for 5 s. Redis
is never touched."""

from __future__ import annotations

import random
import threading
import time

from bench.soaklib.driver import Driver
from bench.soaklib.system import System

INGRESS_DOWN_SECONDS = 5


class Chaos:
    """Kills a random worker every few seconds and takes the ingress down three times,
    from the first change until the last appointment has started (a thread)."""

    def __init__(self, system: System, driver: Driver, ingress_port: int, *,
                 kill_every: float, seed: int, seconds: float) -> None:
        """`seconds`: how long the changes take (the ingress goes down at 20, 45 and
        70 % of it); `seed`: the run's, from which the choice of workers follows."""
        self.system, self.driver, self.ingress_port = system, driver, ingress_port
        self.kill_every = kill_every
        self.rng = random.Random(seed + 2)
        begin = time.time()
        self.next_kill = begin + kill_every
        self.downs = [begin + seconds * f for f in (0.2, 0.45, 0.7)]
        self.down_since: float | None = None
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stop.wait(0.25):
            self._step(time.time())
        if self.down_since is not None:
            self._bring_up()

    def _step(self, now: float) -> None:
        journal = self.driver.journal
        if now >= self.next_kill:
            self.next_kill = now + self.kill_every
            self.system.kill_worker(self.rng.randrange(len(self.system.workers)))
            self.system.start_worker()
            journal.kills["worker (SIGKILL)"] += 1
        if self.downs and now >= self.downs[0] and self.system.ingress is not None:
            self.downs.pop(0)
            self.driver.ingress_down.set()
            self.system.ingress.kill()
            journal.kills["ingress (SIGKILL)"] += 1
            self.down_since = now
        if self.down_since is not None and now >= self.down_since + INGRESS_DOWN_SECONDS:
            self._bring_up()

    def _bring_up(self) -> None:
        assert self.down_since is not None
        self.system.start_ingress(self.ingress_port)
        self.driver.journal.ingress_down.append((self.down_since, time.time()))
        self.driver.ingress_down.clear()
        self.down_since = None

    def end(self) -> None:
        self.stop.set()
        self.thread.join()
