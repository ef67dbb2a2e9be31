"""`oabridge up`: the whole system locally, against the sandbox, in one command.

It starts the sandbox (booking API, Twilio-compatible API, SMTP sink) with the demo
practice, the ingress, and a worker (whose ticker polls), all against one Redis, and
prints the story as it happens (`sandbox.local.announcer`). Ctrl-C or SIGTERM stops
everything, the embedded Redis last, and waits until every process it started has
ended. Settings that describe the outside world (API, Twilio, SMTP addresses and
credentials) point at the sandbox; the rest may be changed with OABRIDGE_ variables.
While it runs, its settings are in `<state>/env` for commands in a second terminal
(`bridge.cli.state_env`).
The sandbox's `--fault-*` flags are taken here too, checked before anything starts, and
handed to the sandbox (for a chaos run of the whole system).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from contextlib import suppress
from pathlib import Path
from typing import Any

from redis import Redis
from redis.exceptions import RedisError

from bridge.cli import state_env
from bridge.settings import load_settings
from bridge.store.message_log import MessageLog
from bridge.store.reply_effects import ReplyEffects
from sandbox.booking import DEMO_API_KEY, DEMO_API_SECRET
from sandbox.fault_flags import add_fault_flags, fault_argv, fault_settings
from sandbox.local.admin_token import admin_token
from sandbox.local.announcer import Announcer
from sandbox.local.banner import SEBASTIEN, Banner, code_of
from sandbox.local.embedded_redis import EmbeddedRedisError
from sandbox.local.redis_choice import RedisChoice, RedisUnavailable, choose_redis
from sandbox.local.sandbox_feed import SandboxFeed
from sandbox.local.supervisor import Supervisor
from sandbox.twilio import DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, DEMO_NUMBER

DEMO_DEFAULTS = {
    "OABRIDGE_POLL_INTERVAL": "10",
    "OABRIDGE_QUIET_HOURS": "off",  # so the demo shows its messages at any hour
    # The demo's next appointments are on the next open day, at most four days away
    # (a Friday night before a Monday): a reminder four days ahead is due at once at any
    # hour and weekday. With the usual 1d the demo showed none before 09:00.
    "OABRIDGE_REMINDER_OFFSETS": "4d",
    "OABRIDGE_PRACTICE_PHONE": "030 123 45 67",
    "OABRIDGE_MAIL_FROM": "praktijk@fysiodelinde.example",
}


def add_command(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "up", help="run the whole system locally against the sandbox (the demo)"
    )
    parser.add_argument("--host", default="127.0.0.1", help="address for every server")
    parser.add_argument("--port", type=int, default=8000, help="ingress port (8000)")
    parser.add_argument("--sandbox-port", type=int, default=8765, help="sandbox port (8765)")
    parser.add_argument("--smtp-port", type=int, default=8025, help="SMTP sink port (8025)")
    parser.add_argument("--state-dir", default=".oabridge",
                        help="the sandbox's data, logs and an embedded Redis go here (.oabridge)")
    parser.add_argument("--fresh", action="store_true",
                        help="start the demo over: forget the sandbox's data and empty the "
                             "demo's Redis database")
    parser.add_argument("--embedded-redis", action="store_true",
                        help="run an embedded Redis even when one answers on 127.0.0.1:6379 "
                             "(keeps the demo's data out of your own Redis)")
    add_fault_flags(parser)
    parser.set_defaults(func=run)


def sandbox_argv(args: argparse.Namespace, state: Path, faults: list[str]) -> list[str]:
    """The `oabridge sandbox ...` command line of the demo's sandbox."""
    return [
        "sandbox", "--host", args.host, "--port", str(args.sandbox_port),
        "--smtp-port", str(args.smtp_port), "--db", str(state / "sandbox.sqlite3"),
        "--inbound-url", f"http://{args.host}:{args.port}/twilio/inbound", *faults,
    ]


def _environment(args: argparse.Namespace, redis_url: str, token: str) -> dict[str, str]:
    sandbox = f"http://{args.host}:{args.sandbox_port}"
    env = {**DEMO_DEFAULTS, "OABRIDGE_ADMIN_TOKEN": token, **os.environ}
    env.update({
        "OABRIDGE_REDIS_URL": redis_url,
        "OABRIDGE_SANDBOX_MODE": "1",
        "OABRIDGE_API_URL": f"{sandbox}/APIREST",
        "OABRIDGE_API_KEY": DEMO_API_KEY,
        "OABRIDGE_API_SECRET": DEMO_API_SECRET,
        "OABRIDGE_TWILIO_ACCOUNT_SID": DEMO_ACCOUNT_SID,
        "OABRIDGE_TWILIO_AUTH_TOKEN": DEMO_AUTH_TOKEN,
        "OABRIDGE_TWILIO_FROM": DEMO_NUMBER,
        "OABRIDGE_TWILIO_BASE_URL": sandbox,
        "OABRIDGE_SMTP_URL": f"smtp://{args.host}:{args.smtp_port}",
        "OABRIDGE_PUBLIC_URL": f"http://{args.host}:{args.port}",
    })
    env.pop("OABRIDGE_TWILIO_MESSAGING_SERVICE_SID", None)
    return env


def run(args: argparse.Namespace) -> int:
    try:
        faults = fault_argv(fault_settings(args))
    except ValueError as exc:
        print(f"oabridge: {exc}", file=sys.stderr)
        return 2
    # SIGTERM stops the demo as Ctrl-C does, wherever it finds it (even while starting).
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    state = Path(args.state_dir).resolve()
    continued = (state / "sandbox.sqlite3").exists() and not args.fresh
    try:
        choice = choose_redis(os.environ, state, embedded=args.embedded_redis)
    except (RedisUnavailable, EmbeddedRedisError) as exc:
        print(f"oabridge: {exc}")
        return 2
    except KeyboardInterrupt:
        return 0
    env = _environment(args, choice.url, admin_token(state))
    supervisor = Supervisor(env, state / "logs")
    redis = Redis.from_url(choice.url)
    try:
        return _run(args, state, faults, choice, env, supervisor, redis, continued)
    except KeyboardInterrupt:
        return 0
    except (RuntimeError, RedisError) as exc:
        print(f"oabridge: {exc}")
        return 1
    finally:
        _stop(state, choice, supervisor, redis)


def _run(args: argparse.Namespace, state: Path, faults: list[str], choice: RedisChoice,
         env: dict[str, str], supervisor: Supervisor, redis: Redis, continued: bool) -> int:
    if args.fresh:
        (state / "sandbox.sqlite3").unlink(missing_ok=True)
        redis.flushdb()
    settings = load_settings({k: v for k, v in env.items() if k.startswith("OABRIDGE_")})
    sandbox_url = f"http://{args.host}:{args.sandbox_port}"
    announcer = Announcer(MessageLog(redis, settings.retention_days * 86400),
                          ReplyEffects(redis, settings.retention_days * 86400), settings.tz,
                          SandboxFeed(sandbox_url, settings.tz))
    state_env.write(state, env)
    sandbox = supervisor.start("sandbox", sandbox_argv(args, state, faults))
    supervisor.wait_until_answering(sandbox, f"{sandbox_url}/_sandbox/health")
    announcer.skip_history()  # before anything is sent: what went before is not news
    ingress = supervisor.start("ingress", ["serve", "--host", args.host,
                                           "--port", str(args.port)])
    supervisor.wait_until_answering(ingress, f"http://{args.host}:{args.port}/healthz")
    supervisor.start("worker", ["worker"])
    print(Banner(
        sandbox=sandbox_url, ingress=f"http://{args.host}:{args.port}",
        smtp=f"{args.host}:{args.smtp_port}", state=state, redis_note=choice.note,
        admin_token=None if os.environ.get("OABRIDGE_ADMIN_TOKEN") else
        env["OABRIDGE_ADMIN_TOKEN"], continued=continued,
        here=state == (Path.cwd() / state_env.DEFAULT_STATE_DIR).resolve(),
        faults=faults[-1] if faults else "",
    ).text(code_of(sandbox_url, SEBASTIEN[1])), flush=True)
    try:
        while True:
            for line in announcer.lines():
                print(line, flush=True)
            gone = supervisor.exited()
            if gone is not None:
                print(f"oabridge: {gone.name} stopped unexpectedly; see {gone.log_path}")
                return 1
            time.sleep(1)
    finally:
        # Whatever stopped the loop, show what went out until the workers have stopped:
        # first what the sandbox still knows (replies, Twilio's answers), while it runs.
        supervisor.ignore_interrupts_briefly()
        with suppress(RedisError):
            for line in announcer.lines():
                print(line, flush=True)
        print("stopping…", flush=True)
        supervisor.stop()
        for line in announcer.lines():
            print(line, flush=True)


def _stop(state: Path, choice: RedisChoice, supervisor: Supervisor, redis: Redis) -> None:
    """Stop every process `up` started, Redis last, and wait for each to end."""
    supervisor.ignore_interrupts_briefly()
    codes = supervisor.stop()  # a second time is a no-op: the codes are kept
    redis.close()  # our own clients first, though the server no longer waits for them
    state_env.remove(state)
    redis_code = choice.close()
    if redis_code is not None:
        codes["Redis"] = redis_code
    clean = {0, -signal.SIGTERM, -signal.SIGINT}  # uvicorn re-raises the signal it handled
    print("stopped: " + ", ".join(
        f"{name} ({'clean' if code in clean else f'exit {code}'})"
        for name, code in codes.items()), flush=True)
