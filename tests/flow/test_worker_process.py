"""One real `oabridge worker` process: it polls on its own, plans, and stops on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from redis import Redis

from bridge.booking import BookingClient
from bridge.store import keys
from sandbox.app import create_app
from sandbox.booking import BookingSandbox
from tests.contract.helpers import book, bookable_slot, new_customer
from tests.support.asgi_server import serve
from tests.support.waiting import wait_for

API_KEY = "workerprocess-ab12cd"
API_SECRET = "b" * 40



@pytest.fixture
def sandbox_url() -> Iterator[str]:
    with serve(create_app(BookingSandbox(API_KEY, API_SECRET))) as url:
        yield url


@pytest.mark.slow
def test_a_worker_process_polls_plans_and_stops_cleanly(
    redis: Redis, redis_url: str, sandbox_url: str
) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("OABRIDGE_")},
        "OABRIDGE_API_URL": f"{sandbox_url}/APIREST",
        "OABRIDGE_API_KEY": API_KEY,
        "OABRIDGE_API_SECRET": API_SECRET,
        "OABRIDGE_REDIS_URL": redis_url,
        "OABRIDGE_POLL_INTERVAL": "1",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "bridge.cli.main", "worker"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        def created() -> set[int]:
            return {int(f[b"appointment"]) for _, f in redis.xrange(keys.EVENTS)
                    if f[b"kind"] == b"created"}

        wait_for(lambda: len(created()) >= 3, "the first poll to find the demo appointments")
        with BookingClient(f"{sandbox_url}/APIREST", API_KEY, API_SECRET) as api:
            slot = bookable_slot(api, date.today() + timedelta(days=3))
            appointment = book(api, slot, new_customer(api))
        wait_for(lambda: appointment in created(), "a later poll to find the new booking")
        assert redis.zcard(keys.SCHEDULE) > 0
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            _, errors = worker.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            # Never leave it running: it would hold the ticker lease on the suite's
            # Redis and run other tests' jobs.
            worker.kill()
            _, errors = worker.communicate()
            raise AssertionError("the worker did not stop within 30 s of SIGTERM: "
                                 + errors.decode()[-2000:]) from None
    assert worker.returncode == 0, errors.decode()[-2000:]

