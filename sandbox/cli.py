"""The `sandbox` subcommand: run the booking sandbox in the foreground.

It registers itself on whatever argparse subparsers object the main CLI owns, so the
sandbox can be started as `oabridge sandbox` without this module knowing the main CLI.
Next to the booking API it serves the Twilio-compatible SMS API (same port) and starts
the SMTP sink (`--smtp-port`); `oabridge sandbox sms ...` talks to a running sandbox.
Faults for all three can be set with `--fault-*` flags (`fault_flags.py`); `--practices N`
serves N accounts on the one booking API (`practice_flags.py`).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

import uvicorn

from sandbox.app import create_app
from sandbox.booking import BookingAccounts, BookingSandbox, DataError
from sandbox.booking.demo_data import DEMO_API_KEY, DEMO_API_SECRET
from sandbox.clock import OffsetClock
from sandbox.fault_flags import add_fault_flags, fault_settings
from sandbox.faults import SandboxFaults
from sandbox.mail.fault_rates import MailFaultRates
from sandbox.practice_flags import account_lines, add_practice_flags, booking_accounts
from sandbox.twilio import (
    DEMO_ACCOUNT_SID,
    DEMO_AUTH_TOKEN,
    DEMO_MESSAGING_SERVICE_SID,
    DEMO_NUMBER,
    TwilioSandbox,
)
from sandbox.twilio.cli import add_sms_command
from sandbox.twilio.numbers import is_valid_e164

if TYPE_CHECKING:
    from starlette.routing import BaseRoute

    from sandbox.mail import MailSink

    _SubParsersBase = argparse._SubParsersAction[argparse.ArgumentParser]
else:
    _SubParsersBase = argparse._SubParsersAction


class _ReplaceableSubcommands(_SubParsersBase):
    """Sub-subcommands where registering a name again replaces the earlier parser.

    Plain argparse refuses a second parser of the same name (Python 3.11+); the sandbox's
    own sub-subcommands (`sms`) may be overridden by a caller that adds its own.
    """

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser:
        if name in self._name_parser_map:
            del self._name_parser_map[name]
            self._choices_actions = [a for a in self._choices_actions if a.dest != name]
        return super().add_parser(name, **kwargs)


def add_sandbox_command(subparsers: Any) -> argparse.ArgumentParser:
    """Register `sandbox` on an argparse subparsers object and return its parser."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "sandbox",
        help="run a local stand-in for the OnlineAfspraken.nl API",
        description="Serve a simulated OnlineAfspraken.nl REST API (/APIREST) with demo data.",
    )
    add = parser.add_argument
    add("--host", default="127.0.0.1", help="interface to bind (default %(default)s)")
    add("--port", type=int, default=8765, help="port to bind (default %(default)s)")
    add("--api-key", metavar="KEY", help="API key clients must send (default: demo key)")
    add("--api-secret", metavar="SECRET", help="secret clients sign with (default: demo secret)")
    add("--data", metavar="FILE", help="JSON seed data (default: the built-in demo practice)")
    add("--db", metavar="PATH", default=":memory:", help="SQLite file (default %(default)s)")
    add("--twilio-account-sid", metavar="AC...", help="Twilio account SID (default: demo)")
    add("--twilio-auth-token", metavar="TOKEN", help="Twilio auth token (default: demo)")
    add(
        "--twilio-number",
        metavar="NUMBER",
        default=DEMO_NUMBER,
        help="the sandbox account's SMS number, E.164 (default %(default)s)",
    )
    add("--inbound-url", metavar="URL", help="where inbound SMS webhooks go (default: none)")
    add("--smtp-port", type=int, default=8025, help="SMTP sink port (default %(default)s)")
    add_practice_flags(parser)
    add_fault_flags(parser)
    subcommands = parser.add_subparsers(
        dest="sandbox_command", required=False, action=_ReplaceableSubcommands
    )
    add_sms_command(subcommands)
    parser.set_defaults(func=run_sandbox)
    return parser


def _read_data(path: str | None) -> dict[str, Any] | None:
    if path is None:
        return None
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    if not isinstance(data, dict):
        raise DataError(f"{path}: the top level must be a JSON object")
    return data


def _twilio_sandbox(args: argparse.Namespace, clock: OffsetClock) -> TwilioSandbox:
    """The Twilio account of the command-line sandbox; ValueError for bad flags."""
    if not is_valid_e164(args.twilio_number):
        raise ValueError(f"--twilio-number {args.twilio_number!r} is not a valid E.164 number")
    return TwilioSandbox(
        args.twilio_account_sid or DEMO_ACCOUNT_SID,
        args.twilio_auth_token or DEMO_AUTH_TOKEN,
        clock=clock,
        numbers=(args.twilio_number,),
        inbound_url=args.inbound_url,
    )


def _start_mail_sink(host: str, port: int, fault_rates: MailFaultRates) -> MailSink | None:
    """The SMTP sink, or None (with a warning) if aiosmtpd is missing or the port taken."""
    try:
        from sandbox.mail import MailSink  # aiosmtpd is a test/demo dependency
    except ImportError:
        print("warning: aiosmtpd is not installed, so there is no SMTP sink", file=sys.stderr)
        return None
    sink = MailSink(host, port, fault_rates=fault_rates)
    try:
        sink.start()
    except OSError as exc:
        print(f"warning: SMTP sink not started on {host}:{port}: {exc}", file=sys.stderr)
        return None
    return sink


def base_url(args: argparse.Namespace) -> str:
    return f"http://{args.host}:{args.port}"


def _print_banner(
    args: argparse.Namespace, accounts: BookingAccounts, twilio: TwilioSandbox
) -> None:
    base = base_url(args)
    print(f"OnlineAfspraken sandbox listening on {base}/APIREST")
    if len(accounts) > 1:
        print(f"  practice 1: {accounts.first.practice_name}")
    print(f"  api_key:    {accounts.first.api_key}")
    print(f"  api_secret: {accounts.first.api_secret}")
    for line in account_lines(accounts, base):
        print(line)
    print(f"  controls:   {base}/_sandbox/(health|outbox|clock|settings|faults)")
    print(f"Twilio-compatible SMS API on {base}/2010-04-01/Accounts/{twilio.account_sid}/")
    print(f"  account_sid: {twilio.account_sid}")
    print(f"  auth_token:  {twilio.auth_token}")
    print(f"  number:      {twilio.numbers[0]} (Messaging Service {DEMO_MESSAGING_SERVICE_SID})")
    inbound = twilio.settings.inbound_url or "none (--inbound-url or PUT /_sandbox/twilio/config)"
    print(f"  inbound URL: {inbound}")
    print(f"  controls:    {base}/_sandbox/twilio/(config|faults|messages|callbacks|inbound)")
    print(f'  twilio package: client = Client(sid, token); client.api.base_url = "{base}"')


def run_sandbox(args: argparse.Namespace) -> int:
    """Start the sandbox and serve until interrupted; returns the exit code."""
    if (args.api_key is None) != (args.api_secret is None):
        print("error: give both --api-key and --api-secret, or neither", file=sys.stderr)
        return 2
    try:
        fault_body = fault_settings(args)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    api_key = args.api_key or DEMO_API_KEY
    api_secret = args.api_secret or DEMO_API_SECRET
    clock = OffsetClock()
    twilio: TwilioSandbox | None = None
    first: BookingSandbox | None = None
    try:
        data = _read_data(args.data)
        twilio = _twilio_sandbox(args, clock)
        first = BookingSandbox(api_key, api_secret, clock=clock, database=args.db, data=data)
        booking = booking_accounts(args, first)
    except (OSError, ValueError) as exc:
        if twilio is not None:
            twilio.close()
        if first is not None:
            first.close()
        print(f"error: cannot start the sandbox: {exc}", file=sys.stderr)
        return 2
    mail_faults = MailFaultRates()
    faults = SandboxFaults(twilio=twilio.fault_rates, mail=mail_faults)
    faults.update_from_json(fault_body)  # checked by fault_settings
    _print_banner(args, booking, twilio)
    sink = _start_mail_sink(args.host, args.smtp_port, mail_faults)
    routes: list[BaseRoute] = twilio.routes()
    if sink is None:
        faults.mail = None
    else:
        routes += sink.routes()
        print(f"SMTP sink on {sink.address} (plain SMTP or AUTH PLAIN/LOGIN, any credentials,")
        print(f"  no TLS); messages at http://{args.host}:{args.port}/_sandbox/mail")
    if fault_body:
        print(f"Injected faults: {json.dumps(fault_body)} (see {base_url(args)}/_sandbox/faults)")
    sys.stdout.flush()
    try:
        app = create_app(booking, extra_routes=routes, faults=faults)
        uvicorn.run(app, host=args.host, port=args.port, log_level="info")
    except KeyboardInterrupt:
        pass
    finally:
        booking.close()
        twilio.close()
        if sink is not None:
            sink.stop()
    return 0
