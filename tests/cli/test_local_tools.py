"""The local tools (`up`, `walkthrough`, `sandbox`) reach `oabridge` through the entry-point
group `oabridge.commands`; where they are not installed (the production image), asking for
one says so in one line, exit code 2."""

from __future__ import annotations

import argparse
from importlib.metadata import entry_points

import pytest

from bridge.cli import local_tools
from bridge.cli.local_tools import LOCAL_TOOLS, Discovered
from bridge.cli.main import build_parser, main
from sandbox import cli as sandbox_cli
from sandbox.local import sandbox_command, up_command, walkthrough

NOTHING = Discovered()


def test_the_sandbox_distribution_registers_the_three_local_tools() -> None:
    points = {p.name: p for p in entry_points(group=local_tools.GROUP)}
    assert set(LOCAL_TOOLS) <= set(points)
    assert {name: points[name].dist.name for name in LOCAL_TOOLS} == dict.fromkeys(
        LOCAL_TOOLS, "oabridge-sandbox")
    assert points["up"].load() is up_command.add_command
    assert points["walkthrough"].load() is walkthrough.add_command
    assert points["sandbox"].load() is sandbox_command.add_command


def test_installed_they_parse_as_before() -> None:
    parser = build_parser()
    assert parser.parse_args(["up", "--fresh"]).func is up_command.run
    assert parser.parse_args(["walkthrough"]).func is walkthrough.run
    assert parser.parse_args(["sandbox"]).func is sandbox_cli.run_sandbox
    sms = parser.parse_args(["sandbox", "sms", "--from", "+31600000000", "JA"])
    assert sms.func is sandbox_command.run_sms_next_to_the_demo


def test_the_commands_keep_their_order_in_the_help() -> None:
    (commands,) = (a for a in build_parser()._actions
                   if isinstance(a, argparse._SubParsersAction))
    assert list(commands.choices) == [
        "sandbox", "walkthrough", "config", "erase", "serve", "worker", "poll", "jobs",
        "messages", "practices", "status", "templates", "up"]


@pytest.mark.parametrize("argv", [["up"], ["up", "--fresh", "--embedded-redis"],
                                  ["walkthrough"], ["sandbox", "--port", "1"],
                                  ["sandbox", "sms", "--from", "+31600000000", "JA"]])
def test_not_installed_one_line_and_exit_code_2(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(local_tools, "discover", lambda: NOTHING)
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1
    assert err.startswith(f"oabridge: {argv[0]} is a local tool ")
    assert "not installed here" in err and "./scripts/install" in err


def test_not_installed_they_are_listed_and_say_so_when_parsed(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(local_tools, "discover", lambda: NOTHING)
    parser = build_parser()
    assert parser.parse_args(["config"]).command == "config"  # the product is all there
    args = parser.parse_args(["up"])
    assert args.func(args) == 2
    assert capsys.readouterr().err.startswith("oabridge: up is a local tool")
    assert "not installed" in parser.format_help()


def test_the_product_commands_need_no_local_tool(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(local_tools, "discover", lambda: NOTHING)
    for argv in (["config"], ["serve"], ["worker", "--burst"], ["templates", "list"], []):
        assert local_tools.missing(argv) is None


def test_one_that_does_not_load_says_so_instead_of_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = Discovered(broken={"up": "ModuleNotFoundError: No module named 'aiosmtpd'"})
    monkeypatch.setattr(local_tools, "discover", lambda: broken)
    assert main(["up"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "does not load" in err and "aiosmtpd" in err


def test_another_distributions_command_is_added_too(monkeypatch: pytest.MonkeyPatch) -> None:
    ran: list[str] = []

    def add_hello(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
        commands.add_parser("hello").set_defaults(func=lambda args: ran.append(args.command))

    monkeypatch.setattr(local_tools, "discover", lambda: Discovered(adders={"hello": add_hello}))
    main(["hello"])
    assert ran == ["hello"]
