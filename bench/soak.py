"""Chaos soak (issue #8): run the whole system as separate processes, attack it, check.

    python -m bench.soak                # the full run: 10,000 changes (about 25 minutes)
    python -m bench.soak --short        # about 1,000 changes in under 3 minutes (in the suite)

It starts the sandbox (booking API, Twilio API and SMTP sink, with faults on), the
ingress, two `oabridge worker` processes and a CronJob-like poller on a fresh Redis
database; acts as the practice and its customers in a seeded random order; SIGKILLs a
random worker every few seconds and starts a new one; restarts the ingress; then lets
the system drain and judges it with `bench.soaklib.oracle`. Prints a table; exits 1
when any message is duplicate, missing or wrong, any reply was not answered exactly
once, or a job was left behind.
"""

from __future__ import annotations

import argparse
import base64
import logging
import math
import os
import random
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import structlog
from redis import Redis

from bench.ingress import free_port
from bench.soaklib import evidence, report, world
from bench.soaklib.driver import Driver, Endpoints, Pace
from bench.soaklib.journal import APPROVED, CANCELLED, PENDING, REMOVED, Journal
from bench.soaklib.oracle import Oracle, Rules, Skip
from bench.soaklib.queues import busy, leftovers
from bench.soaklib.system import System
from bench.soaklib.world import AMSTERDAM
from bridge.booking import BookingClient, BookingNotFoundError
from bridge.booking.models import Label
from bridge.store.message_log import MessageLog
from sandbox.booking.demo_data import DEMO_API_KEY, DEMO_API_SECRET
from sandbox.twilio import DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, DEMO_NUMBER
from tests.support.redis_dbs import BENCH_SOAK_DB
from tests.support.redis_server import redis_url_for_bench

OFFSETS = {"90s": 90.0, "30s": 30.0}
FAULTS: dict[str, dict[str, float]] = {
    "booking": {"error_rate": 0.05, "hang_rate": 0.01, "hang_seconds": 3, "latency_ms": 5,
                "page_failure_rate": 0.1},
    "twilio": {"rate_limit_rate": 0.05, "error_rate": 0.03, "latency_ms": 40,
               "callback_late_rate": 0.1, "callback_late_seconds": 3,
               "callback_twice_rate": 0.1, "callback_reorder_rate": 0.1},
    "mail": {"temporary_failure_rate": 0.1, "drop_rate": 0.05},
}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--short", action="store_true",
                        help="the suite's run: 1,000 changes over 60 s")
    parser.add_argument("--changes", type=int, help="changes to make (10,000)")
    parser.add_argument("--seconds", type=float, help="how long the changes take (1,300)")
    parser.add_argument("--seed", type=int, default=8, help="seed of everything random (8)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (2)")
    parser.add_argument("--kill-every", type=float, default=7.0,
                        help="seconds between worker kills (7)")
    parser.add_argument("--redis-url", default=os.environ.get("SOAK_REDIS_URL"),
        help="a Redis database the soak may empty (db 10 of 127.0.0.1:6379, or of a "
             "redis-server started for the run when none answers there)")
    parser.add_argument("--workdir", help="logs and sandbox data (default: a new temp dir)")
    args = parser.parse_args(argv)
    args.redis_url = args.redis_url or redis_url_for_bench(BENCH_SOAK_DB)
    args.changes = args.changes or (1000 if args.short else 10_000)
    args.seconds = args.seconds or (60.0 if args.short else 1300.0)
    return args


def quiet_hours_away() -> str:
    """Quiet hours set for the run: an hour, starting six hours from now (local)."""
    begin = datetime.now(AMSTERDAM) + timedelta(hours=6)
    return f"{begin:%H}:00-{(begin + timedelta(hours=1)):%H}:00"


def environment(args: argparse.Namespace, ports: dict[str, int], secret: str) -> dict[str, str]:
    sandbox = f"http://127.0.0.1:{ports['sandbox']}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("OABRIDGE_")}
    env.update({
        "OABRIDGE_REDIS_URL": args.redis_url,
        "OABRIDGE_API_URL": f"{sandbox}/APIREST",
        "OABRIDGE_API_KEY": DEMO_API_KEY, "OABRIDGE_API_SECRET": DEMO_API_SECRET,
        "OABRIDGE_API_TIMEOUT": "2",
        "OABRIDGE_WEBHOOK_SECRET": secret, "OABRIDGE_TRIGGER_TOKEN": "soak-trigger",
        "OABRIDGE_POLL_INTERVAL": "2", "OABRIDGE_RECONCILE_INTERVAL": "30",
        "OABRIDGE_INBOUND_RECONCILE_INTERVAL": "5",
        "OABRIDGE_REMINDER_OFFSETS": ",".join(OFFSETS),
        "OABRIDGE_QUIET_HOURS": quiet_hours_away(),
        "OABRIDGE_TWILIO_ACCOUNT_SID": DEMO_ACCOUNT_SID,
        "OABRIDGE_TWILIO_AUTH_TOKEN": DEMO_AUTH_TOKEN, "OABRIDGE_TWILIO_FROM": DEMO_NUMBER,
        "OABRIDGE_TWILIO_BASE_URL": sandbox, "OABRIDGE_SMS_RATE": "0",
        "OABRIDGE_SMTP_URL": f"smtp://127.0.0.1:{ports['smtp']}",
        "OABRIDGE_MAIL_FROM": "praktijk@soak.example",
        "OABRIDGE_PUBLIC_URL": f"http://127.0.0.1:{ports['ingress']}",
        "OABRIDGE_PRACTICE_NAME": world.PRACTICE_NAME,
        "OABRIDGE_PRACTICE_PHONE": world.PRACTICE_PHONE,
    })
    return env


class SkipReader:
    """Reads the bridge's skipped-message stream as it grows (it is capped)."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self.last = "0-0"
        self.skips: list[Skip] = []

    def read(self) -> None:
        while True:
            batch: Any = self.redis.xrange("oab:skipped", f"({self.last}", "+", count=1000)
            if not batch:
                return
            for entry_id, fields in batch:
                f = {k.decode(): v.decode() for k, v in fields.items()}
                self.skips.append(Skip(int(f["appointment"]), f["kind"], f.get("variant", ""),
                                       float(f["start"]), f["reason"], float(f["at"])))
                self.last = entry_id.decode()


def every(seconds: float, stop: threading.Event, work: Any) -> threading.Thread:
    def loop() -> None:
        while not stop.wait(seconds):
            work()
    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    return thread


def put_faults(sandbox: str, faults: dict[str, dict[str, float]], seed: int) -> None:
    body = {section: {**values, "seed": seed} for section, values in faults.items()}
    answer = httpx.put(f"{sandbox}/_sandbox/faults", json=body, timeout=10)
    answer.raise_for_status()


def faults_off(sandbox: str) -> dict[str, dict[str, int]]:
    zero = {section: {k: 0 for k in values if not k.endswith("_seconds")}
            for section, values in FAULTS.items()}
    httpx.put(f"{sandbox}/_sandbox/faults", json=zero, timeout=10).raise_for_status()
    state = httpx.get(f"{sandbox}/_sandbox/faults", timeout=10).json()
    return {section: dict(values.get("injected", {})) for section, values in state.items()}


class Chaos:
    """Kills a random worker every few seconds and takes the ingress down three times,
    from the first change until the last appointment has started (a thread)."""

    def __init__(self, args: argparse.Namespace, system: System, driver: Driver,
                 ingress_port: int) -> None:
        self.system, self.driver, self.ingress_port = system, driver, ingress_port
        self.kill_every = args.kill_every
        self.rng = random.Random(args.seed + 2)
        begin = time.time()
        self.next_kill = begin + args.kill_every
        self.downs = [begin + args.seconds * f for f in (0.2, 0.45, 0.7)]
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
        if self.down_since is not None and now >= self.down_since + 5:
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


def final_statuses(api: BookingClient,
                   ids: list[int]) -> tuple[dict[int, str], dict[int, float]]:
    """Each appointment's status as the booking API has it now, and its UpdateTime."""
    names = {Label.PENDING: PENDING, Label.APPROVED: APPROVED, Label.CANCELLED: CANCELLED}
    statuses: dict[int, str] = {}
    updated: dict[int, float] = {}
    for appointment_id in ids:
        try:
            appointment = api.get_appointment(appointment_id)
        except BookingNotFoundError:
            statuses[appointment_id] = REMOVED
            continue
        statuses[appointment_id] = names.get(appointment.label, appointment.label.name)
        if appointment.updated is not None:
            updated[appointment_id] = appointment.updated.timestamp()
    return statuses, updated


def run(args: argparse.Namespace) -> int:
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="oabridge-soak-"))
    workdir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(args.seed)
    people = world.customers(math.ceil(args.changes * 0.45) + 50, rng)
    world.data_file(workdir / "world.json", people, rng)
    ports = {name: free_port() for name in ("sandbox", "smtp", "ingress")}
    secret = "whsec_" + base64.b64encode(rng.randbytes(24)).decode()
    env = environment(args, ports, secret)
    redis = Redis.from_url(args.redis_url)
    redis.flushdb()
    sandbox_url = f"http://127.0.0.1:{ports['sandbox']}"
    system = System(workdir, env)
    journal = Journal()
    stop = threading.Event()
    print(f"soak: {args.changes} changes over {args.seconds:.0f} s, seed {args.seed}, "
          f"logs in {workdir}", flush=True)
    try:
        system.start_sandbox([
            "--port", str(ports["sandbox"]), "--smtp-port", str(ports["smtp"]),
            "--db", str(workdir / "sandbox.sqlite3"), "--data", str(workdir / "world.json"),
            "--inbound-url", f"http://127.0.0.1:{ports['ingress']}/twilio/inbound",
        ], f"{sandbox_url}/_sandbox/health")
        put_faults(sandbox_url, FAULTS, args.seed)
        system.start_ingress(ports["ingress"])
        for _ in range(args.workers):
            system.start_worker()
        skips = SkipReader(redis)
        every(2, stop, skips.read)
        every(15, stop, system.trigger_poll)
        # The practice waits for its answers: a timed-out write retried would run twice
        # (the sandbox still does the first), and the soak's record would not be the truth.
        api = BookingClient(f"{sandbox_url}/APIREST", DEMO_API_KEY, DEMO_API_SECRET,
                            timeout=60)
        endpoints = Endpoints(sandbox_url, f"http://127.0.0.1:{ports['ingress']}", secret,
                              DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN)
        pace = Pace(args.changes, args.seconds, tail=75.0)
        driver = Driver(journal, api, endpoints, people, random.Random(args.seed + 1), pace)
        chaos = Chaos(args, system, driver, ports["ingress"])
        drive(args, driver)
        while time.time() < last_start(journal) + 2:  # faults and kills go on meanwhile
            time.sleep(0.5)
            skips.read()
        chaos.end()
        injected = faults_off(sandbox_url)
        drained, waited = drain(redis, skips)
        skips.read()
        journal.checked_at = time.time()
        sms, received = evidence.twilio_messages(sandbox_url)
        log = MessageLog(redis, 86400)
        sent = evidence.with_log_ids(sms + evidence.mails(sandbox_url), log.by_provider_id)
        statuses, updated = final_statuses(api, sorted(journal.appointments))
        rules = Rules(OFFSETS, allowance=20.0, grace=5.0, checked_at=journal.checked_at)
        verdict = Oracle(journal, people, rules).judge(sent, received, skips.skips, statuses,
                                                       updated)
        left = leftovers(redis, sent)
        dead = system.dead()
        for problem in left + [f"process died: {d}" for d in dead]:
            verdict.problem(problem)
        for how, count in journal.webhooks.items():
            if how.startswith("unexpected"):
                verdict.problem(f"{count} webhook(s) answered {how}")
        if not drained:
            verdict.problem(f"the system did not drain in {waited:.0f} s")
        report.show(f"Chaos soak: {args.changes} changes, seed {args.seed}", journal,
                    verdict, injected, [("drained after the last start", f"{waited:.1f} s"),
                                        ("left behind", str(len(left)))])
        for problem in verdict.problems[:40]:
            print(f"  problem: {problem}")
        if len(verdict.problems) > 40:
            print(f"  … and {len(verdict.problems) - 40} more")
        print("PASS" if verdict.clean else "FAIL", flush=True)
        return 0 if verdict.clean else 1
    finally:
        stop.set()
        system.stop_all()


def drive(args: argparse.Namespace, driver: Driver) -> None:
    """The practice's changes and the customers' replies, paced over `args.seconds`."""
    journal = driver.journal
    journal.started = begin = time.time()
    journal.changes_ended = begin + args.seconds
    interval = args.seconds / args.changes
    rng = random.Random(args.seed + 3)
    for attempt in range(args.changes):
        now = time.time()
        driver.act(now)
        if rng.random() < (0.6 if driver.ingress_down.is_set() else 0.2):
            driver.maybe_reply(now)
        delay = begin + (attempt + 1) * interval - time.time()
        if delay > 0:
            time.sleep(delay)
    driver.finish()


def last_start(journal: Journal) -> float:
    return max((a.state.start.timestamp() for a in journal.appointments.values()),
               default=time.time())


def drain(redis: Redis, skips: SkipReader, limit: float = 240) -> tuple[bool, float]:
    """Wait until the queues are empty and nothing is due (faults are off by now)."""
    began = time.time()
    while time.time() - began < limit:
        if not busy(redis):
            time.sleep(3)  # status callbacks still under way at the Twilio sandbox
            if not busy(redis):
                return True, time.time() - began
        time.sleep(0.5)
        skips.read()
    return False, time.time() - began


def main(argv: list[str] | None = None) -> int:
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    return run(parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
