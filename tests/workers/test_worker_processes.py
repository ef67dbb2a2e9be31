"""`oabridge worker` as real processes (issue #16, "workers that fork with threads").

The process that forks RQ's work horses runs no thread beside the fork: a fork copies
only the forking thread, and a lock another thread held stays held in the horse for
ever (one horse hung two hours in the soak). So the ticker, the relay and the alive key
run in the parent, and RQ's worker in a child (`workers/process.py`). These tests run
the real command against a real Redis, with a job that holds its horse until the test
lets it go.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis import Redis
from rq.job import Job
from rq.serializers import JSONSerializer

from bridge.queueing.abandoned import requeue_abandoned
from bridge.queueing.enqueue import JobWriter
from bridge.queueing.jobs import JobSpec, QueueName
from bridge.store import keys
from tests.support.waiting import wait_for

ROOT = Path(__file__).resolve().parents[2]
HELD = JobSpec("tests.workers.held_jobs.held", QueueName.SEND, 120, (1,))
JOB_ID = "held-in-a-horse"
RELEASE = "test:release-held"
PIDS = "test:held-pids"
#: Far more than a warm shutdown of a job already released needs; only a broken run waits.
STOP_BOUND_SECONDS = 60


def gone(pid: int) -> bool:
    """The process has ended (a zombie no one reaped has ended too)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] in {"Z", "X"}


def threads_of(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/task"))


def status(redis: Redis) -> str:
    return str(Job.fetch(JOB_ID, connection=redis, serializer=JSONSerializer)
               .get_status().value)


@pytest.fixture
def worker(redis: Redis, redis_url: str) -> Iterator[subprocess.Popen[bytes]]:
    """`oabridge worker` with the held job queued and no periodic job to run."""
    now = str(int(time.time()))
    for task in ("poll", "reconcile", "inbound"):
        redis.set(keys.last_run(task), now)
    JobWriter(redis).enqueue(HELD, [RELEASE, PIDS], JOB_ID)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("OABRIDGE_")},
        "PYTHONPATH": str(ROOT),
        "OABRIDGE_API_URL": "http://127.0.0.1:9/APIREST",
        "OABRIDGE_API_KEY": "forks-ab12cd34ef",
        "OABRIDGE_API_SECRET": "d" * 40,
        "OABRIDGE_REDIS_URL": redis_url,
        "OABRIDGE_POLL_INTERVAL": "3600",
    }
    process = subprocess.Popen([sys.executable, "-m", "bridge.cli.main", "worker"], cwd=ROOT,
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        yield process
    finally:
        redis.lpush(RELEASE, "go")
        if process.poll() is None:
            process.kill()
        if process.stderr is not None and not process.stderr.closed:  # not yet collected
            process.communicate()


def horse_and_forker(redis: Redis) -> tuple[int, int]:
    """Once the held job runs: its horse's pid and the pid of the process that forked it."""
    wait_for(lambda: redis.exists(PIDS) == 1, "the held job to start in a work horse")
    horse, forker = (int(pid) for pid in redis.get(PIDS).split())  # type: ignore[union-attr]
    return horse, forker


def shutdown_requested(redis: Redis) -> bool:
    """RQ's worker running the held job has recorded a stop request (warm shutdown)."""
    name = Job.fetch(JOB_ID, connection=redis, serializer=JSONSerializer).worker_name
    return redis.hget(f"rq:worker:{name}", "shutdown_requested_date") is not None


def stopped(process: subprocess.Popen[bytes]) -> tuple[int, str]:
    try:
        _, errors = process.communicate(timeout=STOP_BOUND_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        _, errors = process.communicate()
        raise AssertionError("the worker did not stop: " + errors.decode()[-2000:]) from None
    return process.returncode, errors.decode()


@pytest.mark.slow
def test_the_process_that_forks_the_horses_runs_no_other_thread(
    redis: Redis, worker: subprocess.Popen[bytes]
) -> None:
    _horse, forker = horse_and_forker(redis)
    assert threads_of(forker) == 1
    assert forker != worker.pid  # the threads' process forks nothing
    assert threads_of(worker.pid) > 1  # the ticker, the relay and the alive key are there


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_signal_finishes_the_job_in_hand_then_both_processes_exit(
    redis: Redis, worker: subprocess.Popen[bytes], signum: signal.Signals
) -> None:
    horse, forker = horse_and_forker(redis)
    worker.send_signal(signum)  # SIGINT: a Ctrl-C, which the child gets only from the parent
    # Warm shutdown: the job in hand is not cut short (a send runs to its end).
    wait_for(lambda: shutdown_requested(redis), "the forking worker to be told to stop")
    assert status(redis) == "started" and not gone(horse)
    redis.lpush(RELEASE, "go")
    code, errors = stopped(worker)
    assert code == 0, errors[-2000:]
    assert status(redis) == "finished"
    assert gone(forker) and gone(horse)
    assert redis.smembers(keys.WORKERS) == set()  # a clean stop leaves no name behind


@pytest.mark.slow
def test_a_sigkilled_worker_takes_its_child_and_horse_and_its_job_is_handed_back(
    redis: Redis, worker: subprocess.Popen[bytes]
) -> None:
    horse, forker = horse_and_forker(redis)
    worker.kill()
    worker.communicate()
    wait_for(lambda: gone(forker) and gone(horse), "the child and its horse to die with it")
    # Nothing refreshes the alive key now: once it lapses, the ticker's rescue hands
    # the job back to the front of its queue.
    wait_for(lambda: requeue_abandoned(redis) == 1, "the job to be handed back")
    assert status(redis) == "queued"
    assert redis.lindex(f"rq:queue:{HELD.queue.value}", 0) == JOB_ID.encode()


@pytest.mark.slow
def test_a_child_that_dies_ends_the_worker_with_a_failure_and_its_job_goes_back(
    redis: Redis, worker: subprocess.Popen[bytes]
) -> None:
    horse, forker = horse_and_forker(redis)
    os.kill(forker, signal.SIGKILL)
    code, errors = stopped(worker)
    assert code == 128 + signal.SIGKILL, errors[-2000:]
    assert "worker_child_ended" in errors
    wait_for(lambda: gone(horse), "the horse to die with its worker")
    # The parent left the name listed without its alive key: handed back at once, by
    # this pass or by the parent's own ticker in its last moments.
    requeue_abandoned(redis)
    assert status(redis) == "queued"


@pytest.mark.slow
def test_a_ctrl_c_then_a_sigterm_still_stop_the_worker_cleanly(
    redis: Redis, worker: subprocess.Popen[bytes]
) -> None:
    """`oabridge up` stopped by Ctrl-C: the worker gets the terminal's SIGINT, then `up`'s
    own SIGTERM, which may reach the child as it exits (CI saw exit 143)."""
    horse_and_forker(redis)
    worker.send_signal(signal.SIGINT)
    wait_for(lambda: shutdown_requested(redis), "the forking worker to be told to stop")
    redis.lpush(RELEASE, "go")
    wait_for(lambda: status(redis) == "finished", "the job in hand to finish")
    while worker.poll() is None:  # the second stop, again and again, until it is over
        worker.send_signal(signal.SIGTERM)
        time.sleep(0.002)
    code, errors = stopped(worker)
    assert code == 0, errors[-2000:]
