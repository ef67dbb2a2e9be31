"""`oabridge sandbox sms`: text one of the running sandbox's numbers, as a patient would.

It calls `POST /_sandbox/twilio/inbound` of a sandbox started with `oabridge sandbox`
and prints what happened: the inbound message recorded, Twilio's own answer to a
keyword (STOP, START, HELP), the webhook delivery (URL, HTTP status, attempts) and any
TwiML replies. Exit status 0 when the message was recorded and
either delivered (2xx), not to be delivered, or there was nowhere to deliver it; 1 when
the webhook failed; 2 when the sandbox could not be reached or refused the request.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

DEFAULT_SANDBOX_URL = "http://127.0.0.1:8765"


def _say(line: str, *, error: bool = False) -> None:
    stream = sys.stderr if error else sys.stdout
    stream.write(line + "\n")


def add_sms_command(subcommands: Any) -> argparse.ArgumentParser:
    """Register `sms` on the `sandbox` command's sub-subparsers."""
    parser: argparse.ArgumentParser = subcommands.add_parser(
        "sms",
        help="send an inbound SMS to a running sandbox (as if a patient replied)",
        description="Record an inbound SMS in a running sandbox and deliver its webhook.",
    )
    add = parser.add_argument
    add("--from", dest="from_number", required=True, metavar="NUMBER", help="sender, E.164")
    add("--to", metavar="NUMBER", help="one of the sandbox's numbers (default: its first)")
    add(
        "--sandbox",
        metavar="URL",
        help="base URL of the running sandbox (default: the one of the demo `oabridge up` "
        f"runs in this folder, else {DEFAULT_SANDBOX_URL})",
    )
    add(
        "--no-deliver",
        action="store_true",
        help="only record the message (listable via the API), do not call the webhook",
    )
    add("body", help="the text of the message, e.g. JA")
    parser.set_defaults(func=run_sms)
    return parser


def _report(answer: dict[str, Any], no_deliver: bool) -> int:
    message = answer["message"]
    _say(
        f"Inbound SMS {message['sid']} from {message['from']} to {message['to']}: "
        f"{message['body']!r}"
    )
    auto = answer.get("auto_reply")
    if auto:
        _say(f"Twilio answered it itself ({auto['sid']}): {auto['body']!r}")
    webhook = answer.get("webhook")
    if no_deliver:
        _say("Not delivered (--no-deliver): the message is only listable via the API.")
        return 0
    if webhook is None:
        _say(f"Not delivered: {answer.get('note', 'no inbound webhook URL configured')}.")
        return 0
    attempts = f"{webhook['attempts']} attempt(s)"
    if webhook["status"] is not None:
        _say(f"Webhook POST {webhook['url']}: HTTP {webhook['status']} after {attempts}.")
    else:
        _say(f"Webhook POST {webhook['url']} failed after {attempts}: {webhook['error']}")
    for reply in answer.get("replies", []):
        if "error" in reply:
            _say(f"TwiML reply refused: {reply['error']['code']} {reply['error']['message']}")
        else:
            _say(f"TwiML reply {reply['sid']} to {reply['to']}: {reply['body']!r}")
    status = webhook["status"]
    return 0 if status is not None and 200 <= status < 300 else 1


def run_sms(args: argparse.Namespace) -> int:
    """Send it; without --sandbox to the usual address (the local tools' `oabridge sandbox
    sms` first looks for the demo running in this folder: `sandbox.local.sandbox_command`)."""
    import httpx  # only this command needs it

    args.sandbox = args.sandbox or DEFAULT_SANDBOX_URL
    payload: dict[str, Any] = {
        "from": args.from_number,
        "body": args.body,
        "deliver": not args.no_deliver,
    }
    if args.to:
        payload["to"] = args.to
    url = args.sandbox.rstrip("/") + "/_sandbox/twilio/inbound"
    try:
        response = httpx.post(url, json=payload, timeout=60.0, trust_env=False)
    except httpx.HTTPError as exc:
        _say(f"error: cannot reach the sandbox at {args.sandbox}: {exc}", error=True)
        return 2
    if response.status_code == 404:
        _say(f"error: {args.sandbox} has no Twilio sandbox (is it `oabridge sandbox`?)", error=True)
        return 2
    try:
        answer = response.json()
    except ValueError:
        answer = {}
    if response.status_code != 201 or not isinstance(answer, dict):
        detail = answer.get("error") if isinstance(answer, dict) else None
        _say(f"error: the sandbox refused: {detail or response.text}", error=True)
        return 2
    return _report(answer, args.no_deliver)
