"""`oabridge up` takes the sandbox's fault flags, checks them first, and hands them on
(fast: nothing is started)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bridge.cli.main import build_parser, main
from sandbox.fault_flags import fault_argv, fault_settings
from sandbox.local.up_command import sandbox_argv


def up_sandbox_argv(*flags: str) -> list[str]:
    args = build_parser().parse_args(["up", *flags])
    return sandbox_argv(args, Path("/state"), fault_argv(fault_settings(args)))


def test_the_demo_sandbox_gets_no_faults_by_default() -> None:
    argv = up_sandbox_argv()
    assert argv[0] == "sandbox" and not any(a.startswith("--fault") for a in argv)


def test_the_flags_reach_the_sandbox_unchanged() -> None:
    flags = ("--fault-seed", "7", "--fault-error-rate", "0.1",
             "--fault-twilio-rate-limit-rate", "0.2", "--fault-callback-reorder-rate", "0.3",
             "--fault-smtp-drop-rate", "0.05", "--faults", '{"twilio": {"latency_ms": 50}}')
    argv = up_sandbox_argv(*flags)
    given = fault_settings(build_parser().parse_args(["up", *flags]))
    assert fault_settings(build_parser().parse_args(argv)) == given
    assert given == {"seed": 7, "booking": {"error_rate": 0.1}, "mail": {"drop_rate": 0.05},
                     "twilio": {"latency_ms": 50, "rate_limit_rate": 0.2,
                                "callback_reorder_rate": 0.3}}


def test_a_bad_value_stops_up_before_anything_starts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = tmp_path / "state"
    code = main(["up", "--state-dir", str(state), "--fault-callback-twice-rate", "7"])
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("oabridge: --fault-callback-twice-rate") and err.count("\n") == 1
    assert not state.exists()
