"""The `--fault-*` flags, defined once for `oabridge sandbox` and `oabridge up`.

Every flag is one key of the `PUT /_sandbox/faults` body, and `--faults JSON` takes that
body whole, so a chaos run can be described the same way at start and while it runs.
The flags give nothing unless used (all faults off by default); the single ones win
over `--faults`. A bad value is one line naming the flag, and exit status 2, before
anything starts. `oabridge up` checks them too and hands the sandbox it starts one
`--faults JSON` (`fault_argv`).
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from typing import Any

from sandbox.faults import SandboxFaults

__all__ = ["FLAGS", "FaultFlag", "add_fault_flags", "fault_argv", "fault_settings"]


@dataclass(frozen=True)
class FaultFlag:
    """One flag and the setting it sets (`section` None: the top-level `seed`)."""

    name: str
    section: str | None
    key: str
    help: str

    @property
    def dest(self) -> str:
        return self.name.removeprefix("--").replace("-", "_")


FLAGS = (
    FaultFlag("--fault-seed", None, "seed",
              "seed of every injected fault (booking, Twilio, SMTP): the same seed and the "
              "same calls give the same faults (default 0)"),
    FaultFlag("--fault-error-rate", "booking", "error_rate",
              "share of booking-API calls answered with HTTP 500/502/503 (default 0)"),
    FaultFlag("--fault-hang-rate", "booking", "hang_rate",
              "share of booking-API calls that hang before a 503 (default 0)"),
    FaultFlag("--fault-hang-seconds", "booking", "hang_seconds",
              "how long such a call hangs (default 15)"),
    FaultFlag("--fault-latency-ms", "booking", "latency_ms",
              "latency added to every booking-API call (default 0)"),
    FaultFlag("--fault-page-failure-rate", "booking", "page_failure_rate",
              "share of getAppointments pages after the first that fail (default 0)"),
    FaultFlag("--fault-twilio-rate-limit-rate", "twilio", "rate_limit_rate",
              "share of Twilio Messages calls answered 429 / 20429 (default 0)"),
    FaultFlag("--fault-twilio-error-rate", "twilio", "error_rate",
              "share of Twilio Messages calls answered 500 or 503 (default 0)"),
    FaultFlag("--fault-twilio-latency-ms", "twilio", "latency_ms",
              "latency added to every Twilio Messages call (default 0)"),
    FaultFlag("--fault-callback-late-rate", "twilio", "callback_late_rate",
              "share of status callbacks delivered late (default 0)"),
    FaultFlag("--fault-callback-late-seconds", "twilio", "callback_late_seconds",
              "how late a late status callback is (default 2)"),
    FaultFlag("--fault-callback-twice-rate", "twilio", "callback_twice_rate",
              "share of status callbacks delivered twice, one idempotency token (default 0)"),
    FaultFlag("--fault-callback-reorder-rate", "twilio", "callback_reorder_rate",
              "share of status callbacks held back until the next one went (default 0)"),
    FaultFlag("--fault-smtp-temporary-rate", "mail", "temporary_failure_rate",
              "share of e-mails answered 451 at the end of DATA, not kept (default 0)"),
    FaultFlag("--fault-smtp-drop-rate", "mail", "drop_rate",
              "share of e-mails whose connection is closed instead of answered, not kept "
              "(default 0)"),
)


def add_fault_flags(parser: argparse.ArgumentParser) -> None:
    """Add the fault flags (values are checked by `fault_settings`, not by argparse)."""
    group = parser.add_argument_group(
        "injected faults", "all off by default; see sandbox/README.md, section Faults")
    for flag in FLAGS:
        metavar = ("N" if flag.key == "seed" else "SHARE" if flag.key.endswith("_rate")
                   else "MS" if flag.key.endswith("_ms") else "SECONDS")
        group.add_argument(flag.name, dest=flag.dest, metavar=metavar, help=flag.help)
    group.add_argument(
        "--faults", dest="faults", metavar="JSON",
        help='fault settings as for PUT /_sandbox/faults, e.g. \'{"seed": 7, "twilio": '
             '{"rate_limit_rate": 0.1}}\' (the single flags win)')


def _value(flag: FaultFlag, raw: str) -> int | float:
    try:
        return int(raw) if flag.key == "seed" else float(raw)
    except ValueError:
        kind = "a whole number" if flag.key == "seed" else "a number"
        raise ValueError(f"{flag.name}: expected {kind}, not {raw!r}") from None


def _json_body(raw: str | None) -> dict[str, Any]:
    if raw is None:
        return {}
    try:
        body = json.loads(raw)
    except ValueError as exc:
        raise ValueError(f"--faults: not JSON ({exc})") from None
    try:
        SandboxFaults.complete().check(body)
    except ValueError as exc:
        raise ValueError(f"--faults: {exc}") from None
    assert isinstance(body, dict)  # check() refuses anything else
    return body


def fault_settings(args: argparse.Namespace) -> dict[str, Any]:
    """The `PUT /_sandbox/faults` body the flags describe (`{}` if none was given);
    ValueError with one line naming the flag if a value is wrong."""
    body = _json_body(getattr(args, "faults", None))
    for flag in FLAGS:
        raw = getattr(args, flag.dest, None)
        if raw is None:
            continue
        value = _value(flag, raw)
        piece: dict[str, Any] = (
            {flag.key: value} if flag.section is None else {flag.section: {flag.key: value}})
        try:
            SandboxFaults.complete().check(piece)
        except ValueError as exc:
            raise ValueError(f"{flag.name}: {exc}") from None
        if flag.section is None:
            body[flag.key] = value
        else:
            body[flag.section] = {**body.get(flag.section, {}), flag.key: value}
    try:
        SandboxFaults.complete().check(body)  # settings that are only wrong together
    except ValueError as exc:
        raise ValueError(f"fault flags: {exc}") from None
    return body


def fault_argv(body: dict[str, Any]) -> list[str]:
    """The flags that give a sandbox child process these fault settings."""
    return ["--faults", json.dumps(body, separators=(",", ":"))] if body else []
