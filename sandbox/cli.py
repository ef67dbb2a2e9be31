"""The `sandbox` subcommand: run the booking sandbox in the foreground.

It registers itself on whatever argparse subparsers object the main CLI owns, so the
sandbox can be started as `oabridge sandbox` without this module knowing the main CLI.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

import uvicorn

from sandbox.app import create_app
from sandbox.booking import BookingSandbox, DataError
from sandbox.booking.demo_data import DEMO_API_KEY, DEMO_API_SECRET
from sandbox.clock import OffsetClock


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
    parser.add_subparsers(dest="sandbox_command", required=False)
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


def run_sandbox(args: argparse.Namespace) -> int:
    """Start the sandbox and serve until interrupted; returns the exit code."""
    if (args.api_key is None) != (args.api_secret is None):
        print("error: give both --api-key and --api-secret, or neither", file=sys.stderr)
        return 2
    api_key = args.api_key or DEMO_API_KEY
    api_secret = args.api_secret or DEMO_API_SECRET
    try:
        data = _read_data(args.data)
        booking = BookingSandbox(
            api_key, api_secret, clock=OffsetClock(), database=args.db, data=data
        )
    except (OSError, ValueError) as exc:
        print(f"error: cannot start the sandbox: {exc}", file=sys.stderr)
        return 2
    url = f"http://{args.host}:{args.port}/APIREST"
    print(f"OnlineAfspraken sandbox listening on {url}")
    print(f"  api_key:    {api_key}")
    print(f"  api_secret: {api_secret}")
    print(f"  controls:   http://{args.host}:{args.port}/_sandbox/(health|outbox|clock|settings)")
    sys.stdout.flush()
    try:
        uvicorn.run(create_app(booking), host=args.host, port=args.port, log_level="info")
    except KeyboardInterrupt:
        pass
    finally:
        booking.close()
    return 0
