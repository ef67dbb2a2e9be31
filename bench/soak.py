"""Chaos soak (issue #8): run the whole system as separate processes, attack it, check.

    python -m bench.soak                # the full run: 10,000 changes (about 25 minutes)
    python -m bench.soak --short        # 1,000 changes, 4 to 6 minutes with the drain (suite)

It starts a Redis of its own (`redis-server` with an append-only file; with a replica
and three Sentinels when a failover is among its faults), the sandbox (booking API,
Twilio API and SMTP sink, with faults on), the ingress, two `oabridge worker` processes
and a CronJob-like poller; acts as the practice and its customers in a seeded random
order; SIGKILLs a random worker's session every few seconds and starts a new one;
restarts the ingress; kills, restarts, fails over and wipes Redis (#16, each fault on a
seeded schedule of its own); then lets the system drain and judges it with
`bench.soaklib.oracle`. Prints a table; exits 1 when any message is duplicate, missing
or wrong, any reply was not answered exactly once, or a job was left behind.

    python -m bench.soak --redis-faults none --redis-url redis://127.0.0.1:6379/10
                                        # no Redis faults, on a Redis database it empties
"""

from __future__ import annotations

import argparse
import base64
import json
import logging
import math
import os
import random
import sys
import tempfile
import threading
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import structlog
from redis import Redis
from redis.exceptions import RedisError

from bench.ingress import free_port
from bench.soaklib import evidence, report, world
from bench.soaklib.chaos import Chaos
from bench.soaklib.driver import Driver, Endpoints, Pace
from bench.soaklib.environment import OFFSETS, environment
from bench.soaklib.faults import FAULTS, faults_off, put_faults
from bench.soaklib.journal import Journal
from bench.soaklib.log_copies import LogCopies
from bench.soaklib.oracle import Oracle
from bench.soaklib.orphans import orphaned_sends
from bench.soaklib.queues import busy, leftovers
from bench.soaklib.redis_faults import RedisChaos, parse_kinds, rows, schedule
from bench.soaklib.redis_servers import SoakRedis
from bench.soaklib.skip_stream import SkipReader
from bench.soaklib.system import System
from bench.soaklib.verdict import Rules
from bridge.booking import BookingClient
from bridge.store.message_log import MessageLog
from sandbox.booking.demo_data import DEMO_API_KEY, DEMO_API_SECRET
from sandbox.twilio import DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN
from tests.support.redis_dbs import BENCH_SOAK_DB
from tests.support.redis_server import redis_url_for_bench


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
    parser.add_argument("--redis-faults",
        help="Redis faults, in any order: restart (SIGKILL, restart with AOF), failover "
             "(replica and three Sentinels), amnesia (restart with its files gone); "
             "'none' for none (full run: restart,restart,failover,amnesia; --short: "
             "restart). Any fault runs the soak on redis-servers of its own")
    parser.add_argument("--redis-url", default=os.environ.get("SOAK_REDIS_URL"),
        help="with --redis-faults none only: a Redis database the soak may empty (db 10 "
             "of 127.0.0.1:6379, or of a redis-server started for the run when none "
             "answers there)")
    parser.add_argument("--workdir", help="logs and sandbox data (default: a new temp dir)")
    args = parser.parse_args(argv)
    if args.redis_faults is None:
        args.redis_faults = "restart" if args.short \
            else "restart,restart,failover,amnesia"
    try:
        args.redis_faults = parse_kinds(args.redis_faults)
    except ValueError as exc:
        parser.error(str(exc))
    if args.redis_faults and args.redis_url:
        parser.error("Redis faults need the soak's own redis-server: --redis-url (or "
                     "SOAK_REDIS_URL) only with --redis-faults none")
    if not args.redis_faults:
        args.redis_url = args.redis_url or redis_url_for_bench(BENCH_SOAK_DB)
    args.changes = args.changes or (1000 if args.short else 10_000)
    args.seconds = args.seconds or (60.0 if args.short else 1300.0)
    return args


def run(args: argparse.Namespace) -> int:
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="oabridge-soak-"))
    workdir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(args.seed)
    people = world.customers(math.ceil(args.changes * 0.45) + 50, rng)
    world.data_file(workdir / "world.json", people, rng)
    ports = {name: free_port() for name in ("sandbox", "smtp", "ingress")}
    secret = "whsec_" + base64.b64encode(rng.randbytes(24)).decode()
    own = SoakRedis(replicated="failover" in args.redis_faults, db=BENCH_SOAK_DB)
    redis_chaos: RedisChaos | None = None
    if args.redis_faults:
        own.start()
        redis_url, redis = own.url(), own.client()
        env = environment(redis_url, ports, secret) | own.bridge_settings()
    else:
        redis_url = args.redis_url
        redis = Redis.from_url(redis_url)
        env = environment(redis_url, ports, secret)
    redis.flushdb()
    sandbox_url = f"http://127.0.0.1:{ports['sandbox']}"
    system = System(workdir, env)
    journal = Journal()
    stop = threading.Event()
    print(f"soak: {args.changes} changes over {args.seconds:.0f} s, seed {args.seed}, "
          f"Redis faults: {', '.join(args.redis_faults) or 'none'}, logs in {workdir}",
          flush=True)
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
        copies = LogCopies(redis)
        every(2, stop, skips.read)
        every(5, stop, copies.read)
        every(15, stop, system.trigger_poll)
        # The practice waits for its answers: a timed-out write retried would run twice
        # (the sandbox still does the first), and the soak's record would not be the truth.
        api = BookingClient(f"{sandbox_url}/APIREST", DEMO_API_KEY, DEMO_API_SECRET,
                            timeout=60)
        endpoints = Endpoints(sandbox_url, f"http://127.0.0.1:{ports['ingress']}", secret,
                              DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN)
        pace = Pace(args.changes, args.seconds, tail=75.0)
        driver = Driver(journal, api, endpoints, people, random.Random(args.seed + 1), pace)
        chaos = Chaos(system, driver, ports["ingress"], kill_every=args.kill_every,
                      seed=args.seed, seconds=args.seconds)
        faults = schedule(args.redis_faults, args.seed, time.time(), args.seconds)

        def before_fault() -> None:  # the copies the oracle judges by, if Redis forgets
            skips.read()
            copies.read()

        redis_chaos = RedisChaos(own, faults, before_fault)
        drive(args, driver)
        while time.time() < last_start(journal) + 2 or not redis_chaos.finished():
            time.sleep(0.5)  # faults and kills go on meanwhile
            skips.read()
        chaos.end()
        journal.redis_down = [(f.began, f.back or time.time()) for f in faults if f.began]
        injected = faults_off(sandbox_url)
        drained, waited = drain(redis, skips)
        skips.read()
        journal.checked_at = time.time()
        copies.read()
        sms, received = evidence.twilio_messages(sandbox_url)
        log = MessageLog(redis, 86400)
        # The copy first: what the bridge's log said when it sent (a recovery after an
        # amnesia may link a provider message to another record since).
        sent = evidence.with_log_ids(sms + evidence.mails(sandbox_url),
                                     lambda pid: copies.links.get(pid)
                                     or log.by_provider_id(pid))
        save_copies(workdir, skips, copies)
        (workdir / "redis-faults.json").write_text(json.dumps([asdict(f) for f in faults]))
        (workdir / "replies.json").write_text(json.dumps([asdict(r) for r in journal.replies]))
        statuses, updated = evidence.final_statuses(api, sorted(journal.appointments))
        # An amnesia lasts, for the bridge, until it found the loss (`noticed`).
        amnesia = tuple((f.began, max(f.back, f.noticed) or f.began) for f in faults
                        if f.kind == "amnesia" and f.began)
        losses = tuple((f.began, f.back or f.began) for f in faults
                       if f.began and f.kind in {"amnesia", "failover"})
        rules = Rules(OFFSETS, allowance=20.0, grace=5.0, checked_at=journal.checked_at,
                      amnesia=amnesia, losses=losses,
                      orphaned=orphaned_sends(workdir / "logs"))
        verdict = Oracle(journal, people, rules).judge(sent, received, skips.skips, statuses,
                                                       updated)
        left = leftovers(redis, sent, rules)
        dead = system.dead()
        # The system's own problems first: the list is cut at 40, and one dead process
        # can cost a hundred messages.
        first = redis_chaos.errors + [f"process died: {d}" for d in dead]
        first += [f"{count} webhook(s) answered {how}"
                  for how, count in journal.webhooks.items() if how.startswith("unexpected")]
        if not drained:
            first.append(f"the system did not drain in {waited:.0f} s")
        verdict.problems[:0] = first + left
        report.show(f"Chaos soak: {args.changes} changes, seed {args.seed}", journal,
                    verdict, injected, [("drained after the last start", f"{waited:.1f} s"),
                                        ("left behind", str(len(left)))],
                    rows(faults, journal.started))
        for problem in verdict.problems[:40]:
            print(f"  problem: {problem}")
        if len(verdict.problems) > 40:
            print(f"  … and {len(verdict.problems) - 40} more")
        print("PASS" if verdict.clean else "FAIL", flush=True)
        return 0 if verdict.clean else 1
    finally:
        stop.set()
        system.stop_all()
        if redis_chaos is not None:
            redis_chaos.close()
        own.stop()


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
        if not _busy(redis):
            time.sleep(3)  # status callbacks still under way at the Twilio sandbox
            if not _busy(redis):
                return True, time.time() - began
        time.sleep(0.5)
        skips.read()
    return False, time.time() - began


def save_copies(workdir: Path, skips: SkipReader, copies: LogCopies) -> None:
    """The soak's copies of the bridge's skips and provider links, for a look after the
    run (Redis's own may be gone)."""
    (workdir / "skips.json").write_text(json.dumps([asdict(s) for s in skips.skips]))
    (workdir / "provider-links.json").write_text(json.dumps(copies.links))


def _busy(redis: Redis) -> bool:
    try:
        return busy(redis)
    except RedisError:  # still coming back from a Redis fault
        return True


def every(seconds: float, stop: threading.Event, work: Any) -> threading.Thread:
    """Run `work()` every `seconds` on a daemon thread until `stop` is set."""
    def loop() -> None:
        while not stop.wait(seconds):
            work()
    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    return thread


def main(argv: list[str] | None = None) -> int:
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    return run(parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
