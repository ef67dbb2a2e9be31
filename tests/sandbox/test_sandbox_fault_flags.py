"""The `--fault-*` flags of `oabridge sandbox`: one key each, `--faults JSON`, clean errors."""

from __future__ import annotations

import argparse
import json
from typing import Any

import pytest

from sandbox import cli
from sandbox.fault_flags import FLAGS, FaultFlag, fault_argv, fault_settings
from sandbox.faults import SandboxFaults


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="oabridge")
    cli.add_sandbox_command(parser.add_subparsers())
    return parser.parse_args(["sandbox", *argv])


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(cli.uvicorn, "run", lambda app, **kw: calls.append({"app": app, **kw}))
    return calls


def test_no_flags_no_faults() -> None:
    args = parse()
    assert fault_settings(args) == {} and fault_argv({}) == []


def test_the_booking_flags_keep_their_names() -> None:
    args = parse("--fault-seed", "3", "--fault-error-rate", "0.1", "--fault-hang-rate", "0.2",
                 "--fault-latency-ms", "40", "--fault-page-failure-rate", "0.5")
    assert fault_settings(args) == {"seed": 3, "booking": {
        "error_rate": 0.1, "hang_rate": 0.2, "latency_ms": 40.0, "page_failure_rate": 0.5}}


@pytest.mark.parametrize("flag", FLAGS, ids=[f.name for f in FLAGS])
def test_each_flag_sets_its_key(flag: FaultFlag) -> None:
    value = "5" if flag.key == "seed" else "0.25"
    body = fault_settings(parse(flag.name, value))
    faults = SandboxFaults.complete()
    faults.update_from_json(body)
    state = faults.to_json()
    if flag.section is None:
        assert body == {"seed": 5}
        assert {section["seed"] for section in state.values()} == {5}
    else:
        assert body == {flag.section: {flag.key: 0.25}}
        assert state[flag.section][flag.key] == 0.25


def test_single_flags_win_over_the_json() -> None:
    args = parse("--faults", '{"seed": 1, "twilio": {"error_rate": 0.1, "latency_ms": 5}}',
                 "--fault-twilio-error-rate", "0.2", "--fault-seed", "8")
    assert fault_settings(args) == {"seed": 8, "twilio": {"error_rate": 0.2, "latency_ms": 5}}


@pytest.mark.parametrize(("argv", "named"), [
    (("--fault-twilio-error-rate", "2"), "--fault-twilio-error-rate"),
    (("--fault-callback-late-seconds", "soon"), "--fault-callback-late-seconds"),
    (("--fault-seed", "1.5"), "--fault-seed"),
    (("--fault-smtp-drop-rate", "nan"), "--fault-smtp-drop-rate"),
    (("--faults", "{not json"), "--faults: not JSON"),
    (("--faults", '{"sms": {}}'), "--faults: unknown fault section"),
    (("--faults", '{"mail": {"drop_rate": 0.8}}', "--fault-smtp-temporary-rate", "0.5"),
     "drop_rate + temporary_failure_rate"),
])
def test_bad_values_are_one_line_and_exit_2(
    served: list[dict[str, Any]], capsys: pytest.CaptureFixture[str],
    argv: tuple[str, ...], named: str,
) -> None:
    args = parse("--smtp-port", "0", *argv)
    assert args.func(args) == 2
    err = capsys.readouterr().err
    assert named in err and err.count("\n") == 1 and err.startswith("error: ")
    assert served == []


def test_the_sandbox_starts_with_the_faults(
    served: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    args = parse("--smtp-port", "0", "--fault-seed", "7", "--fault-callback-twice-rate", "0.5",
                 "--faults", json.dumps({"mail": {"drop_rate": 0.1}}))
    assert args.func(args) == 0
    state = served[0]["app"].state.faults.to_json()
    assert state["twilio"]["callback_twice_rate"] == 0.5 and state["mail"]["drop_rate"] == 0.1
    assert {section["seed"] for section in state.values()} == {7}
    assert "Injected faults:" in capsys.readouterr().out


def test_without_flags_the_sandbox_has_every_fault_off(served: list[dict[str, Any]]) -> None:
    args = parse("--smtp-port", "0")
    assert args.func(args) == 0
    state = served[0]["app"].state.faults.to_json()
    assert state == SandboxFaults.complete().to_json()
