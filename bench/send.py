"""Reminders sent per second by one worker process, against Twilio's response time.

    python -m bench.send [--messages 10000] [--delay-ms 150] [--concurrency 16]
                         [--rate 20] [--rate-seconds 60] [--rounds 5] [--quick]

The booking API and the Twilio API run as a sandbox in a separate process
(`bench.send_sandbox`, real clock) over a practice with one appointment per planned
message, all on the day after tomorrow, for the seven demo customers in turn (Henk,
who has only an e-mail address, gets a mobile number: every message is an SMS). The
bridge runs here on real Redis (db 11) with a manual clock at 07:00 that day: every
1d reminder is due, no appointment has started; quiet hours off. Per phase: Redis
flushed, a reconciliation plans the reminders, the ticker queues them (send jobs of
50), then ONE in-process RQ SimpleWorker (burst) drains the send queue and is timed.
Every message it sends is re-read upstream, claimed, handed to Twilio and logged, as
in production.

Phases and the issue's targets:
1. Twilio answering after `--delay-ms` (150 ms), no rate limit: >= 50 messages/s.
2. Twilio answering at once, no rate limit: messages/s >= 0.5 x RQ's own throughput
   for no-op jobs (same worker class, same queue set-up), measured in the same run:
   no-op jobs and sends alternate in `--rounds`, as the shared machine's load drifts.
3. `OABRIDGE_SMS_RATE=--rate`, Twilio answering after `--delay-ms`: the rate over
   `--rate-seconds` (60) from the first message stays within 5% of the limit.
4. The cost of `WAIT` (#16): phase 2's sending again, on a primary of our own with one
   local replica (`tests.support.redis_topology`), once with `OABRIDGE_REDIS_MIN_REPLICAS=0`
   (the baseline, same servers, same run) and once with 1: every claim then waits for
   the replica's acknowledgement before Twilio is called. `--no-wait-cost` leaves it out.
Each phase checks exactly-once: as many messages at Twilio as were queued and as
planned messages the bridge logged as handed over, with the same provider ids.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from datetime import time as clock_time
from functools import partial
from zoneinfo import ZoneInfo

import httpx
from redis import Redis
from rq.registry import FailedJobRegistry

from bench.ingress import free_port
from bench.sandbox_data import practice_with
from bench.send_results import (
    DISCARDS,
    Noops,
    Sent,
    print_report,
    print_wait_cost,
    process_cpu,
)
from bridge.clock import ManualClock
from bridge.observability.logging import configure_logging
from bridge.queueing.dequeue import build_worker
from bridge.queueing.jobs import JobSpec, QueueName
from bridge.settings import load_settings
from sandbox.booking.demo_data import DEMO_API_KEY, DEMO_API_SECRET
from sandbox.twilio import DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, DEMO_NUMBER
from tests.support.redis_dbs import BENCH_SEND_DB
from tests.support.redis_server import redis_url_for_bench
from tests.support.redis_topology import RedisNode
from workers import runtime, sync
from workers.process import build_ticker
from workers.runtime import Runtime

#: Database 11 (declared in tests/support/redis_dbs.py, emptied here) of the system Redis,
#: or of a redis-server started for this run when none answers on 127.0.0.1:6379.
redis_url = partial(redis_url_for_bench, BENCH_SEND_DB)
AGENDA = 27041
ZONE = ZoneInfo("Europe/Amsterdam")
NOOP = JobSpec("bench.send.noop", QueueName.SEND, 60, ())
HENK = 10482321  # the demo customer with only an e-mail address


def noop() -> None:
    """The baseline job: RQ's own cost per job."""


class Bench:
    def __init__(self, messages: int, concurrency: int) -> None:
        self.concurrency = concurrency
        self.redis_url = redis_url()
        self.min_replicas = 0
        self.redis = Redis.from_url(self.redis_url)
        day = datetime.now(ZONE).date() + timedelta(days=2)
        self.moment = datetime.combine(day, clock_time(7, 0), ZONE)  # reminders due
        data = practice_with(messages, day, days=1)
        for customer in data["Customers"]:
            if customer["Id"] == HENK:
                customer["MobilePhone"] = "06-24681357"
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
            json.dump(data, handle)
        self.data_file = handle.name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.http = httpx.Client(base_url=self.url, timeout=60)
        self.sandbox = subprocess.Popen(
            [sys.executable, "-m", "bench.send_sandbox", "--port", str(self.port),
             "--data", self.data_file],
        )
        deadline = time.monotonic() + 120
        while True:
            if self.sandbox.poll() is not None or time.monotonic() > deadline:
                self.sandbox.kill()
                raise RuntimeError("the sandbox did not start")
            try:
                if self.http.get("/_sandbox/health").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)

    def use_redis(self, url: str, min_replicas: int) -> None:
        """The phases after this run on `url`, claims acknowledged by `min_replicas`."""
        self.redis.close()
        self.redis_url, self.min_replicas = url, min_replicas
        self.redis = Redis.from_url(url)

    def close(self) -> None:
        self.sandbox.terminate()
        self.sandbox.wait(timeout=30)
        self.http.close()
        os.unlink(self.data_file)
        self.redis.flushdb()

    def runtime(self, rate: float) -> Runtime:
        settings = load_settings({
            "OABRIDGE_API_URL": f"{self.url}/APIREST", "OABRIDGE_API_KEY": DEMO_API_KEY,
            "OABRIDGE_API_SECRET": DEMO_API_SECRET, "OABRIDGE_REDIS_URL": self.redis_url,
            "OABRIDGE_REDIS_MIN_REPLICAS": str(self.min_replicas),
            "OABRIDGE_AGENDA_IDS": str(AGENDA), "OABRIDGE_QUIET_HOURS": "off",
            "OABRIDGE_REMINDER_OFFSETS": "1d", "OABRIDGE_SMS_RATE": str(rate),
            "OABRIDGE_SEND_CONCURRENCY": str(self.concurrency),
            "OABRIDGE_TWILIO_ACCOUNT_SID": DEMO_ACCOUNT_SID,
            "OABRIDGE_TWILIO_AUTH_TOKEN": DEMO_AUTH_TOKEN, "OABRIDGE_TWILIO_FROM": DEMO_NUMBER,
            "OABRIDGE_TWILIO_BASE_URL": self.url, "OABRIDGE_PUBLIC_URL": self.url,
        })
        return Runtime.from_settings(settings, clock=ManualClock(self.moment))

    def drain(self) -> tuple[float, float]:
        """One SimpleWorker drains the queues: (seconds, CPU seconds of this process)."""
        worker = build_worker(Redis.from_url(self.redis_url), simple=True)
        cpu, started = time.process_time(), time.perf_counter()
        worker.work(burst=True, logging_level="WARNING")
        return time.perf_counter() - started, time.process_time() - cpu

    def plan(self, delay_ms: float, rate: float) -> Runtime:
        """A fresh Redis and Twilio, and a plan holding every reminder (all due)."""
        self.redis.flushdb()
        self.http.post("/_bench/reset").raise_for_status()
        self.http.put("/_sandbox/twilio/config",
                      json={"response_delay_ms": delay_ms}).raise_for_status()
        rt = self.runtime(rate)
        runtime.install(rt)
        sync.reconcile_agenda(AGENDA)
        rt.sending.recovery.decide()  # a worker's ticker writes the epoch (#16); none runs here
        return rt

    def send(self, rt: Runtime, count: int, sent: Sent) -> None:
        """Queue the next `count` due messages (send jobs of 50) and time their sending."""
        ticker, queued = build_ticker(rt), 0
        while queued < count:
            dispatched = ticker.dispatch_due(limit=min(2000, count - queued))
            if not dispatched:
                break
            queued += dispatched
        sandbox_cpu, DISCARDS.count = process_cpu(self.sandbox.pid), 0
        seconds, cpu = self.drain()
        sent.seconds += seconds
        sent.cpu += cpu
        sent.sandbox_cpu += process_cpu(self.sandbox.pid) - sandbox_cpu
        sent.discarded += DISCARDS.count
        sent.queued += queued

    def noops(self, rt: Runtime, count: int, noops: Noops) -> None:
        """RQ's baseline: `count` no-op jobs on the send queue, drained by the same worker."""
        finished = rt.writer.queue(QueueName.SEND).finished_job_registry
        before = finished.count
        for start in range(0, count, 1000):
            rt.writer.enqueue_many([(NOOP, [], f"noop-{noops.jobs + i}")
                                    for i in range(start, min(count, start + 1000))])
        seconds, cpu = self.drain()
        noops.jobs += finished.count - before
        noops.seconds += seconds
        noops.cpu += cpu

    def check(self, rt: Runtime, sent: Sent) -> Sent:
        """What reached Twilio against what the bridge logged as handed over."""
        at_twilio = {m["sid"] for m in self.http.get("/_sandbox/twilio/messages").json()}
        records = [r for r in rt.messages.recent(sent.queued + 100) if r.provider_id]
        sent.at_twilio = len(at_twilio)
        sent.logged = len({r.message_key for r in records})
        sent.same_ids = {r.provider_id for r in records} == at_twilio
        sent.failed_jobs = sum(FailedJobRegistry(queue=rt.writer.queue(name)).count
                               for name in QueueName)
        sent.accepted = sorted(self.http.get("/_bench/accepted").json())
        return sent

    def phase(self, *, delay_ms: float, rate: float, count: int, rounds: int = 1,
              noops: Noops | None = None) -> Sent:
        """Send `count` planned messages in `rounds`; before each, no-op jobs as many."""
        rt, sent = self.plan(delay_ms, rate), Sent()
        try:
            for index in range(rounds):
                share = count // rounds + (1 if index < count % rounds else 0)
                if noops is not None:
                    self.noops(rt, share, noops)
                self.send(rt, share, sent)
            return self.check(rt, sent)
        finally:
            runtime.install(None)
            rt.close()


def main() -> None:
    configure_logging(json=False, level="WARNING")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--delay-ms", type=float, default=150)
    parser.add_argument("--concurrency", type=int, default=16,
                        help="OABRIDGE_SEND_CONCURRENCY of the worker")
    parser.add_argument("--rate", type=float, default=20, help="OABRIDGE_SMS_RATE in phase 3")
    parser.add_argument("--rate-seconds", type=float, default=60)
    parser.add_argument("--rounds", type=int, default=5,
                        help="phase 2 alternates no-op jobs and sends this often")
    parser.add_argument("--no-wait-cost", action="store_true",
                        help="leave out phase 4 (a local replica, MIN_REPLICAS 0 and 1)")
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run: 1,000 messages, a 10-second rate window")
    args = parser.parse_args()
    if args.quick:
        args.messages, args.rate_seconds, args.rounds = 1000, 10, 2
    rate_messages = int(args.rate * (args.rate_seconds + 3))  # enough for the whole window
    started = time.perf_counter()
    bench = Bench(max(args.messages, rate_messages), args.concurrency)
    noop = Noops()
    try:
        slow = bench.phase(delay_ms=args.delay_ms, rate=0, count=args.messages)
        fast = bench.phase(delay_ms=0, rate=0, count=args.messages, rounds=args.rounds,
                           noops=noop)  # alternating: the machine's load drifts
        limited = bench.phase(delay_ms=args.delay_ms, rate=args.rate, count=rate_messages)
        waits = None if args.no_wait_cost else wait_cost(bench, args.messages, args.rounds)
    finally:
        bench.close()
    print_report(args, slow, fast, limited, noop, time.perf_counter() - started)
    if waits is not None:
        print_wait_cost(args, *waits)


def wait_cost(bench: Bench, count: int, rounds: int) -> tuple[Sent, Sent]:
    """Phase 2's sending on a primary with one local replica: without WAIT, then with."""
    primary = RedisNode.primary(aof=False)
    replica = RedisNode.replica(primary)
    try:
        url = primary.url(BENCH_SEND_DB)
        bench.use_redis(url, 0)
        base = bench.phase(delay_ms=0, rate=0, count=count, rounds=rounds)
        bench.use_redis(url, 1)
        waited = bench.phase(delay_ms=0, rate=0, count=count, rounds=rounds)
        bench.use_redis(redis_url(), 0)
        return base, waited
    finally:
        replica.stop()
        primary.stop()


if __name__ == "__main__":
    main()
