"""`oabridge jobs failed` and `oabridge jobs retry ID`: the failed registry, by hand
(next to a running demo, the demo's: `bridge.cli.state_env`)."""

from __future__ import annotations

import argparse
from typing import Any

from rq.registry import FailedJobRegistry

from bridge.cli.state_env import command_environ
from bridge.queueing.enqueue import JobWriter
from bridge.queueing.jobs import QUEUES_BY_PRIORITY
from bridge.settings import load_settings
from bridge.store.connection import connect


def add_command(commands: Any) -> None:
    jobs = commands.add_parser("jobs", help="inspect and retry failed jobs")
    actions = jobs.add_subparsers(dest="jobs_command", required=True, metavar="ACTION")
    failed = actions.add_parser("failed", help="list failed jobs, newest first")
    failed.set_defaults(func=run_failed)
    retry = actions.add_parser("retry", help="put a failed job back on its queue")
    retry.add_argument("job_id")
    retry.set_defaults(func=run_retry)


def _registries() -> list[FailedJobRegistry]:
    writer = JobWriter(connect(load_settings(command_environ()).redis_target))
    return [FailedJobRegistry(queue=writer.queue(name)) for name in QUEUES_BY_PRIORITY]


def run_failed(_args: argparse.Namespace) -> int:
    count = 0
    for registry in _registries():
        for job_id in registry.get_job_ids(desc=True):
            job = registry.job_class.fetch(job_id, connection=registry.connection,
                                           serializer=registry.serializer)
            result = job.latest_result()
            reason = ((result.exc_string if result else "") or "").strip().splitlines()
            last = reason[-1] if reason else "(no reason recorded)"
            print(f"{job_id}  {registry.name:<8} {job.func_name}{tuple(job.args)}  {last}")
            count += 1
    if not count:
        print("no failed jobs")
    return 0


def run_retry(args: argparse.Namespace) -> int:
    for registry in _registries():
        if args.job_id in registry.get_job_ids():
            registry.requeue(args.job_id)
            print(f"{args.job_id} is back on the {registry.name} queue")
            return 0
    print(f"oabridge: no failed job {args.job_id!r}")
    return 1
