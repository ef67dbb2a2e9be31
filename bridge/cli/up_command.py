"""`oabridge up`: the whole system locally, against the sandbox, in one command.

It starts the sandbox (booking API, Twilio-compatible API, SMTP sink) with the demo
practice, the ingress, and a worker (whose ticker polls), all against one Redis, and
prints each message as it goes out. Ctrl-C or SIGTERM stops everything cleanly.
Settings that describe the outside world (API, Twilio, SMTP addresses and
credentials) point at the sandbox; the rest may be changed with OABRIDGE_ variables.
The sandbox's `--fault-*` flags are taken here too, checked before anything starts, and
handed to the sandbox (for a chaos run of the whole system).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from pathlib import Path
from types import FrameType
from typing import Any

from redis import Redis

from bridge.local.announcer import Announcer
from bridge.local.redis_choice import RedisUnavailable, choose_redis
from bridge.local.supervisor import Supervisor
from bridge.settings import load_settings
from bridge.store.message_log import MessageLog

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
    from sandbox.fault_flags import add_fault_flags

    add_fault_flags(parser)
    parser.set_defaults(func=run)


def sandbox_argv(args: argparse.Namespace, state: Path, faults: list[str]) -> list[str]:
    """The `oabridge sandbox ...` command line of the demo's sandbox."""
    return [
        "sandbox", "--host", args.host, "--port", str(args.sandbox_port),
        "--smtp-port", str(args.smtp_port), "--db", str(state / "sandbox.sqlite3"),
        "--inbound-url", f"http://{args.host}:{args.port}/twilio/inbound", *faults,
    ]


def _environment(args: argparse.Namespace, redis_url: str) -> dict[str, str]:
    from sandbox.booking import DEMO_API_KEY, DEMO_API_SECRET
    from sandbox.twilio import DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, DEMO_NUMBER

    sandbox = f"http://{args.host}:{args.sandbox_port}"
    env = {**DEMO_DEFAULTS, **os.environ}
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


def _banner(args: argparse.Namespace, redis_note: str, state: Path, faults: list[str]) -> None:
    sandbox = f"http://{args.host}:{args.sandbox_port}"
    if faults:  # `--faults JSON`
        print(f"Injected faults: {faults[-1]}  (now: {sandbox}/_sandbox/faults)", flush=True)
    print(f"""oabridge is running (logs in {state / "logs"}):
  sandbox booking API  {sandbox}/APIREST
  sandbox Twilio API   {sandbox}/2010-04-01  (sent: {sandbox}/_sandbox/twilio/messages)
  SMTP sink            {args.host}:{args.smtp_port}  (received mail: {sandbox}/_sandbox/mail)
  ingress              http://{args.host}:{args.port}  (health: /healthz, metrics: /metrics)
  {redis_note}
Answer as a customer, e.g. Sébastien (appointment 30012003, prompted above):
  oabridge sandbox sms --sandbox {sandbox} --from +33612345678 "JA"   (or his code, or "NEE")
  the codes the booking system sent: {sandbox}/_sandbox/outbox
Messages appear below as they are sent; `oabridge messages` lists them again.
The demo continues where it stopped last time; `oabridge up --fresh` starts it over.
Press Ctrl-C to stop.
""", flush=True)


def run(args: argparse.Namespace) -> int:
    from sandbox.fault_flags import fault_argv, fault_settings

    try:
        faults = fault_argv(fault_settings(args))
    except ValueError as exc:
        print(f"oabridge: {exc}", file=sys.stderr)
        return 2
    state = Path(args.state_dir).resolve()
    try:
        choice = choose_redis(os.environ, state)
    except RedisUnavailable as exc:
        print(f"oabridge: {exc}")
        return 2
    if args.fresh:
        (state / "sandbox.sqlite3").unlink(missing_ok=True)
        Redis.from_url(choice.url).flushdb()
    env = _environment(args, choice.url)
    settings = load_settings({k: v for k, v in env.items() if k.startswith("OABRIDGE_")})
    supervisor = Supervisor(env, state / "logs")
    announcer = Announcer(MessageLog(Redis.from_url(choice.url), 86400), settings.tz)
    stopping = False

    def on_term(_signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, on_term)
    try:
        sandbox = supervisor.start("sandbox", sandbox_argv(args, state, faults))
        supervisor.wait_until_answering(
            sandbox, f"http://{args.host}:{args.sandbox_port}/_sandbox/health")
        ingress = supervisor.start("ingress", ["serve", "--host", args.host,
                                               "--port", str(args.port)])
        supervisor.wait_until_answering(ingress, f"http://{args.host}:{args.port}/healthz")
        supervisor.start("worker", ["worker"])
        _banner(args, choice.note, state, faults)
        while not stopping:
            for line in announcer.lines():
                print(line, flush=True)
            gone = supervisor.exited()
            if gone is not None:
                print(f"oabridge: {gone.name} stopped unexpectedly; see {gone.log_path}")
                return 1
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    except RuntimeError as exc:
        print(f"oabridge: {exc}")
        return 1
    finally:
        supervisor.ignore_interrupts_briefly()
        print("stopping…", flush=True)
        codes = supervisor.stop()
        for line in announcer.lines():  # what went out while we were stopping
            print(line, flush=True)
        choice.close()
        clean = {0, -signal.SIGTERM, -signal.SIGINT}  # uvicorn re-raises the signal it handled
        print("stopped: " + ", ".join(
            f"{name} ({'clean' if code in clean else f'exit {code}'})"
            for name, code in codes.items()))
    return 0
