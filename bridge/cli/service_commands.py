"""`oabridge serve`, `oabridge worker` and `oabridge poll`: the service's processes.

`serve` and `worker` (with its scheduler and ticker) refuse to start with a guessable
secret, before they open anything (`bridge.settings.secret_checks`). Then they ask their
Redis whether it is fit to be the bridge's memory (`bridge.store.redis_fitness`): one
that evicts keys is refused in one line (status 2), one that would forget everything
on a restart gets a warning. A Redis that does not answer yet is not checked (a
warning says so): the ingress then answers 503 until it does, as without the check,
and a worker fails and is restarted, which checks again."""

from __future__ import annotations

import argparse
import sys
import uuid
from typing import Any

import structlog
from redis.exceptions import RedisError

from bridge.observability.logging import configure_logging
from bridge.queueing.enqueue import JobWriter
from bridge.queueing.jobs import JOBS
from bridge.settings import Settings, load_settings, load_startup_settings
from bridge.store import keys
from bridge.store.connection import connect
from bridge.store.redis_fitness import ask_redis, replicas_short


def add_commands(commands: Any) -> None:
    serve = commands.add_parser("serve", help="run the HTTP ingress (webhooks, triggers)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (8000)")
    serve.set_defaults(func=run_serve)

    worker = commands.add_parser("worker", help="run a worker: jobs, scheduler and ticker")
    worker.add_argument("--burst", action="store_true", help="exit when the queues are empty")
    worker.add_argument("--simple", action="store_true",
                        help="one process that runs the jobs itself: no child worker "
                             "process, no fork per job")
    worker.set_defaults(func=run_worker_command)

    poll = commands.add_parser("poll", help="queue a poll now (e.g. from a CronJob)")
    poll.add_argument("--agenda", type=int, default=0, help="one agenda id (default: all)")
    poll.set_defaults(func=run_poll)


def run_serve(args: argparse.Namespace) -> int:
    from bridge.http.app import create_app
    from bridge.http.server_config import serve_edge

    settings = load_startup_settings("serve")
    configure_logging(json=True)
    if not redis_fit(settings):
        return 2
    if settings.twilio_from and not settings.sender_takes_replies:
        structlog.get_logger(__name__).warning(
            "sender_takes_no_replies", sender=settings.twilio_from,
            effect="customers cannot answer by SMS; prompts will not invite a reply")
    app = create_app(settings)
    serve_edge(app, args.host, args.port, timeout_graceful_shutdown=20)
    return 0


def run_worker_command(args: argparse.Namespace) -> int:
    from workers.process import run_worker

    settings = load_startup_settings("worker")
    configure_logging(json=True)
    if not redis_fit(settings):
        return 2
    return run_worker(settings, burst=args.burst, simple=args.simple)


def redis_fit(settings: Settings) -> bool:
    """False, after one line on stderr, when the Redis evicts keys; warns when it would
    forget everything on a restart, or when it does not answer (then nothing is checked)."""
    log = structlog.get_logger(__name__)
    try:
        fitness = ask_redis(settings.redis_target)
    except (RedisError, OSError) as exc:
        log.warning("redis_fitness_unchecked", error=type(exc).__name__,
                    effect="Redis did not answer INFO; its eviction policy and persistence "
                           "are not checked until the next start")
        return True
    if fitness.refusal is not None:
        print(f"oabridge: {fitness.refusal}", file=sys.stderr)
        return False
    if fitness.warning is not None:
        log.warning("redis_may_forget", persistence=fitness.persistence,
                    replicas=fitness.replicas, effect=fitness.warning)
    short = replicas_short(fitness, settings.redis_min_replicas)
    if short is not None:
        log.warning("redis_replicas_short", replicas=fitness.replicas,
                    wanted=settings.redis_min_replicas, effect=short)
    return True


def run_poll(args: argparse.Namespace) -> int:
    from bridge.cli.state_env import command_environ

    settings = load_settings(command_environ())
    configure_logging(json=False, level="WARNING")
    writer = JobWriter(connect(settings.redis_target))
    result = writer.enqueue_once(
        JOBS["poll_agenda"], [args.agenda], f"poll-{args.agenda}-{uuid.uuid4().hex[:12]}",
        claim_key=keys.poll_queued(args.agenda), claim_ttl=keys.POLL_CLAIM_SECONDS,
    )
    state = "queued" if result.enqueued else "already queued"
    print(f"poll of {'every agenda' if args.agenda == 0 else f'agenda {args.agenda}'} "
          f"{state} (job {result.job_id})")
    return 0
