"""A poll that finds no change among 50,000 upcoming appointments.

    python -m bench.poll_no_change [--appointments 50000] [--rounds 20]

The sandbox holds the appointments and answers over real HTTP; the bridge has seen
them all (a first, full poll) and polls again a minute later, when nothing changed.
Measured per poll: upstream calls, the whole poll job, and a bare `getAppointments`
call with the same filters timed in the same run as the baseline; bridge work is the
difference. Target (issue #3): one upstream call and under 50 ms of bridge work.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, datetime, timedelta
from functools import partial

from redis import Redis
from starlette.types import ASGIApp, Receive, Scope, Send

from bench.sandbox_data import practice_with
from bench.table import print_table
from bridge.observability.logging import configure_logging
from bridge.settings import load_settings
from bridge.store import keys
from bridge.sync import listing
from sandbox.app import create_app
from sandbox.booking import BookingSandbox
from sandbox.clock import ManualClock
from tests.support.asgi_server import serve
from tests.support.redis_dbs import BENCH_POLL_NO_CHANGE_DB
from tests.support.redis_server import redis_url_for_bench
from workers import runtime, sync
from workers.runtime import Runtime

#: Database 13 (declared in tests/support/redis_dbs.py, emptied here) of the system Redis,
#: or of a redis-server started for this run when none answers on 127.0.0.1:6379.
redis_url = partial(redis_url_for_bench, BENCH_POLL_NO_CHANGE_DB)
KEY, SECRET = "benchpolling-abc123", "c" * 40
START = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)


class CallCounter:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.calls = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/APIREST"):
            self.calls += 1
        await self.app(scope, receive, send)


def main() -> None:
    configure_logging(json=False, level="WARNING")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appointments", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    clock = ManualClock(START)
    data = practice_with(args.appointments, START.date() + timedelta(days=1))
    seeded = time.perf_counter()
    booking = BookingSandbox(KEY, SECRET, clock=clock, data=data)
    seeded = time.perf_counter() - seeded
    redis = Redis.from_url(redis_url())
    redis.flushdb()
    counter = CallCounter(create_app(booking))
    with serve(counter) as url:
        settings = load_settings({
            "OABRIDGE_API_URL": f"{url}/APIREST", "OABRIDGE_API_KEY": KEY,
            "OABRIDGE_API_SECRET": SECRET, "OABRIDGE_REDIS_URL": redis_url(),
        })
        rt = Runtime.from_settings(settings, clock=clock)
        runtime.install(rt)
        clock.advance(timedelta(minutes=1))
        first = time.perf_counter()
        sync.poll_agenda(27041)  # never polled: reads the whole window
        first = time.perf_counter() - first
        known = redis.zcard(keys.agenda_index(27041))
        polls, bare, calls = [], [], []
        for _ in range(args.rounds):
            clock.advance(timedelta(minutes=1))
            since = datetime.fromtimestamp(int(redis.get(keys.watermark(27041)) or 0), UTC)
            started = time.perf_counter()
            rt.booking.get_appointments(27041, updated_after=since, include_cancelled=True,
                                        limit=listing.PAGE_SIZE, offset=0)
            bare.append(time.perf_counter() - started)
            before = counter.calls
            started = time.perf_counter()
            sync.poll_agenda(27041)
            polls.append(time.perf_counter() - started)
            calls.append(counter.calls - before)
        rt.close()
    redis.flushdb()
    poll_ms = statistics.median(polls) * 1000
    bare_ms = statistics.median(bare) * 1000
    print_table(
        f"Poll with no change among {known:,} known appointments ({args.rounds} rounds, median)",
        ["measure", "value", "target"],
        [
            ["upstream calls per poll", f"{max(calls)}", "1"],
            ["baseline: one bare getAppointments call (ms)", f"{bare_ms:.1f}", ""],
            ["whole poll job (ms)", f"{poll_ms:.1f}", ""],
            ["poll / baseline", f"{poll_ms / bare_ms:.2f}", ""],
            ["bridge work = poll - baseline (ms)", f"{poll_ms - bare_ms:.1f}", "< 50"],
        ],
    )
    print_table("Set-up", ["step", "seconds"], [
        ["sandbox seeded with the appointments", f"{seeded:.1f}"],
        ["first poll: whole window read and planned", f"{first:.1f}"],
    ])


if __name__ == "__main__":
    main()
