"""The `sandbox` subcommand's parser and start-up."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

import pytest

from sandbox import cli
from sandbox.booking.demo_data import DEMO_API_KEY, DEMO_API_SECRET, demo_data
from sandbox.booking.practices import practice


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="oabridge")
    sub = parser.add_subparsers()
    cli.add_sandbox_command(sub)
    return parser.parse_args(["sandbox", *argv])


def test_defaults() -> None:
    args = parse()
    assert (args.host, args.port, args.api_key, args.api_secret, args.data, args.db) == (
        "127.0.0.1",
        8765,
        None,
        None,
        None,
        ":memory:",
    )
    assert args.func is cli.run_sandbox
    assert args.sandbox_command is None


def test_all_flags() -> None:
    args = parse(
        "--host",
        "0.0.0.0",
        "--port",
        "9000",
        "--api-key",
        "k",
        "--api-secret",
        "s",
        "--data",
        "seed.json",
        "--db",
        "state.sqlite3",
    )
    assert (args.host, args.port, args.api_key, args.api_secret, args.data, args.db) == (
        "0.0.0.0",
        9000,
        "k",
        "s",
        "seed.json",
        "state.sqlite3",
    )


def test_sub_subcommands_can_be_added_later() -> None:
    parser = argparse.ArgumentParser()
    sandbox_parser = cli.add_sandbox_command(parser.add_subparsers())
    actions = [a for a in sandbox_parser._actions if isinstance(a, argparse._SubParsersAction)]
    assert len(actions) == 1 and actions[0].dest == "sandbox_command"
    actions[0].add_parser("sms")
    assert parser.parse_args(["sandbox", "sms"]).sandbox_command == "sms"


def test_demo_credentials_look_real() -> None:
    assert re.fullmatch(r"[a-z0-9]{12}-[a-z0-9]{6}", DEMO_API_KEY)
    assert re.fullmatch(r"[0-9a-f]{40}", DEMO_API_SECRET)


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []

    def fake_run(app: object, **kwargs: Any) -> None:
        calls.append({"app": app, **kwargs})

    monkeypatch.setattr(cli.uvicorn, "run", fake_run)
    return calls


def test_run_prints_demo_credentials_and_serves(
    served: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    args = parse("--port", "9911")
    assert args.func(args) == 0
    out = capsys.readouterr().out
    assert "http://127.0.0.1:9911/APIREST" in out
    assert DEMO_API_KEY in out and DEMO_API_SECRET in out
    assert served[0]["port"] == 9911 and served[0]["host"] == "127.0.0.1"


def test_run_with_data_file_and_db(
    served: list[dict[str, Any]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data_file = tmp_path / "seed.json"
    data_file.write_text(json.dumps(demo_data()), encoding="utf-8")
    args = parse(
        "--data",
        str(data_file),
        "--db",
        str(tmp_path / "s.sqlite3"),
        "--api-key",
        "abcdefghijkl-abcdef",
        "--api-secret",
        "f" * 40,
    )
    assert args.func(args) == 0
    assert "abcdefghijkl-abcdef" in capsys.readouterr().out
    assert (tmp_path / "s.sqlite3").exists()


@pytest.mark.parametrize("content", ["{not json", "[]", '{"Agendas": []}'])
def test_bad_data_file_is_a_clean_error(
    served: list[dict[str, Any]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: str,
) -> None:
    data_file = tmp_path / "seed.json"
    data_file.write_text(content, encoding="utf-8")
    args = parse("--data", str(data_file))
    assert args.func(args) == 2
    assert "error" in capsys.readouterr().err
    assert served == []


def test_missing_data_file(
    served: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    args = parse("--data", "/nonexistent/seed.json")
    assert args.func(args) == 2


def test_key_without_secret(
    served: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    args = parse("--api-key", "abc")
    assert args.func(args) == 2
    assert "--api-secret" in capsys.readouterr().err


def test_one_practice_by_default() -> None:
    args = parse()
    assert (args.practices, args.practice_seed) == (1, 0)


@pytest.mark.parametrize("count", ["0", "-2", "three", "1001"])
def test_a_bad_practice_count_is_a_usage_error(
    count: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        parse("--practices", count)
    assert stopped.value.code == 2
    assert "--practices" in capsys.readouterr().err


def test_the_default_banner_names_no_practices(
    served: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    args = parse()
    assert args.func(args) == 0
    out = capsys.readouterr().out
    assert "practice" not in out
    assert len(served[0]["app"].state.accounts) == 1


def test_practices_serves_and_prints_every_practice(
    served: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    args = parse("--practices", "3", "--practice-seed", "9")
    assert args.func(args) == 0
    out = capsys.readouterr().out
    accounts = served[0]["app"].state.accounts
    assert [a.api_key for a in accounts] == [practice(n, 9).api_key for n in (1, 2, 3)]
    assert accounts.first.api_key == DEMO_API_KEY
    for number in (1, 2, 3):
        known = practice(number, 9)
        assert f"practice {number}: {known.name}" in out
        assert known.api_key in out and known.api_secret in out
    assert "/_sandbox/accounts" in out


def test_practices_with_own_credentials_and_a_database_file(
    served: list[dict[str, Any]], tmp_path: Path
) -> None:
    db = tmp_path / "s.sqlite3"
    args = parse("--practices", "2", "--db", str(db), "--api-key", "k" * 12 + "-abcdef",
                 "--api-secret", "e" * 40)
    assert args.func(args) == 0
    accounts = served[0]["app"].state.accounts
    assert accounts.first.api_key == "k" * 12 + "-abcdef"
    assert accounts.by_number(2).api_key == practice(2).api_key
    assert db.exists() and (tmp_path / "s.practice2.sqlite3").exists()


def test_a_first_key_a_generated_practice_has_is_a_clean_error(
    served: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    api_key, api_secret = practice(2).api_key, practice(2).api_secret
    args = parse("--practices", "2", "--api-key", api_key, "--api-secret", api_secret)
    assert args.func(args) == 2
    assert "API key of its own" in capsys.readouterr().err
    assert served == []
