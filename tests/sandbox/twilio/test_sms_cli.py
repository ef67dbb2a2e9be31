"""`oabridge sandbox` flags for Twilio and SMTP, and `oabridge sandbox sms` against a
running sandbox."""

from __future__ import annotations

import argparse
from typing import Any

import pytest
from starlette.routing import Route

from sandbox import cli
from sandbox.server import SandboxServer
from sandbox.twilio import (
    DEMO_ACCOUNT_SID,
    DEMO_AUTH_TOKEN,
    DEMO_NUMBER,
    TwilioSandbox,
)
from sandbox.twilio.cli import run_sms
from tests.sandbox.twilio.receiver import Receiver
from tests.support.asgi_server import free_port

PATIENT = "+31612345678"


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="oabridge")
    cli.add_sandbox_command(parser.add_subparsers())
    return parser.parse_args(["sandbox", *argv])


def test_sandbox_flag_defaults() -> None:
    args = parse()
    assert (args.twilio_account_sid, args.twilio_auth_token, args.inbound_url) == (None,) * 3
    assert (args.twilio_number, args.smtp_port) == (DEMO_NUMBER, 8025)
    assert args.func is cli.run_sandbox and args.sandbox_command is None


def test_sandbox_flags() -> None:
    args = parse(
        "--twilio-account-sid", "AC" + "a" * 32,
        "--twilio-auth-token", "b" * 32,
        "--twilio-number", "+3197010000001",
        "--inbound-url", "http://127.0.0.1:8000/twilio/inbound",
        "--smtp-port", "2525",
    )  # fmt: skip
    assert (args.twilio_account_sid, args.twilio_auth_token) == ("AC" + "a" * 32, "b" * 32)
    assert (args.twilio_number, args.smtp_port) == ("+3197010000001", 2525)
    assert args.inbound_url == "http://127.0.0.1:8000/twilio/inbound"


def test_sms_parser() -> None:
    args = parse("sms", "--from", PATIENT, "JA")
    assert (args.sandbox_command, args.func) == ("sms", run_sms)
    assert (args.from_number, args.body, args.to, args.no_deliver) == (PATIENT, "JA", None, False)
    assert args.sandbox is None  # at run: the demo's running here, else http://127.0.0.1:8765
    args = parse(
        "sms", "--from", PATIENT, "--to", DEMO_NUMBER, "--sandbox", "http://h:1", "--no-deliver",
        "NEE",
    )  # fmt: skip
    assert (args.to, args.sandbox, args.no_deliver, args.body) == (
        DEMO_NUMBER,
        "http://h:1",
        True,
        "NEE",
    )
    with pytest.raises(SystemExit):
        parse("sms", "JA")  # --from is required


def test_the_demo_credentials_look_real() -> None:
    import re

    assert re.fullmatch(r"AC[0-9a-f]{32}", DEMO_ACCOUNT_SID)
    assert re.fullmatch(r"[0-9a-f]{32}", DEMO_AUTH_TOKEN)


def sms(server: SandboxServer, *argv: str) -> int:
    args = parse("sms", "--sandbox", server.base_url, *argv)
    code: int = args.func(args)
    return code


def test_sms_is_delivered(
    server: SandboxServer,
    twilio_sandbox: TwilioSandbox,
    receiver: Receiver,
    capsys: pytest.CaptureFixture[str],
) -> None:
    twilio_sandbox.settings.inbound_url = receiver.url("/twilio/inbound")
    assert sms(server, "--from", PATIENT, "JA") == 0
    out = capsys.readouterr().out
    [message] = twilio_sandbox.messages("inbound")
    assert f"Inbound SMS {message['sid']} from {PATIENT} to {DEMO_NUMBER}: 'JA'" in out
    assert f"Webhook POST {receiver.url('/twilio/inbound')}: HTTP 200 after 1 attempt(s)" in out
    assert receiver.wait_for(1)[0].params["Body"] == "JA"


def test_sms_no_deliver(
    server: SandboxServer,
    twilio_sandbox: TwilioSandbox,
    receiver: Receiver,
    capsys: pytest.CaptureFixture[str],
) -> None:
    twilio_sandbox.settings.inbound_url = receiver.url("/twilio/inbound")
    assert sms(server, "--from", PATIENT, "--no-deliver", "NEE") == 0
    assert "Not delivered (--no-deliver)" in capsys.readouterr().out
    assert receiver.requests == [] and len(twilio_sandbox.messages("inbound")) == 1


def test_sms_with_a_failing_webhook_and_a_reply(
    server: SandboxServer,
    twilio_sandbox: TwilioSandbox,
    receiver: Receiver,
    capsys: pytest.CaptureFixture[str],
) -> None:
    twilio_sandbox.settings.inbound_url = receiver.url("/in")
    receiver.answer_next(503)
    assert sms(server, "--from", PATIENT, "JA") == 1
    assert "HTTP 503" in capsys.readouterr().out
    receiver.answer_next(200, "<Response><Message>Dank je!</Message></Response>", "text/xml")
    assert sms(server, "--from", PATIENT, "JA") == 0
    assert "TwiML reply SM" in capsys.readouterr().out


def test_sms_shows_twilios_own_answer_to_stop(
    server: SandboxServer, twilio_sandbox: TwilioSandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    assert sms(server, "--from", PATIENT, "STOP") == 0
    [answer] = [m for m in twilio_sandbox.messages() if m["sandbox_auto_reply"]]
    out = capsys.readouterr().out
    assert f"Twilio answered it itself ({answer['sid']}): 'You have successfully been" in out
    assert sms(server, "--from", PATIENT, "Ja") == 0
    assert "Twilio answered" not in capsys.readouterr().out


def test_sms_without_inbound_url(
    server: SandboxServer, twilio_sandbox: TwilioSandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    assert sms(server, "--from", PATIENT, "JA") == 0
    assert "Not delivered: no inbound_url configured" in capsys.readouterr().out


def test_sms_refused_or_unreachable(
    server: SandboxServer, twilio_sandbox: TwilioSandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    assert sms(server, "--from", "0612345678", "JA") == 2
    assert "not a valid E.164" in capsys.readouterr().err
    args = parse("sms", "--sandbox", f"http://127.0.0.1:{free_port()}", "--from", PATIENT, "x")
    assert args.func(args) == 2
    assert "cannot reach the sandbox" in capsys.readouterr().err


@pytest.fixture
def uvicorn_calls(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []

    def fake_run(app: object, **kwargs: Any) -> None:
        calls.append({"app": app, **kwargs})

    monkeypatch.setattr(cli.uvicorn, "run", fake_run)
    return calls


def paths(app: Any) -> set[str]:
    return {route.path for route in app.routes if isinstance(route, Route)}


def test_run_serves_twilio_and_mail(
    uvicorn_calls: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    args = parse("--port", "9911", "--smtp-port", "0")
    assert args.func(args) == 0
    out = capsys.readouterr().out
    assert DEMO_ACCOUNT_SID in out and DEMO_AUTH_TOKEN in out and DEMO_NUMBER in out
    assert 'client.api.base_url = "http://127.0.0.1:9911"' in out
    assert "SMTP sink on 127.0.0.1:" in out
    served_paths = paths(uvicorn_calls[0]["app"])
    assert "/2010-04-01/Accounts/{account_sid}/Messages.json" in served_paths
    assert {"/_sandbox/twilio/inbound", "/_sandbox/mail", "/APIREST"} <= served_paths


def test_run_with_own_twilio_values(
    uvicorn_calls: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    sid, token = "AC" + "1" * 32, "2" * 32
    args = parse(
        "--twilio-account-sid", sid, "--twilio-auth-token", token,
        "--twilio-number", "+3197010000099", "--inbound-url", "http://127.0.0.1:8000/in",
        "--smtp-port", "0",
    )  # fmt: skip
    assert args.func(args) == 0
    out = capsys.readouterr().out
    assert sid in out and token in out and "+3197010000099" in out
    assert "http://127.0.0.1:8000/in" in out


@pytest.mark.parametrize(
    "argv",
    [
        ("--twilio-number", "0970100000"),
        ("--twilio-account-sid", "AC123"),
        ("--inbound-url", "localhost:8000"),
    ],
)
def test_run_refuses_bad_twilio_values(
    uvicorn_calls: list[dict[str, Any]], capsys: pytest.CaptureFixture[str], argv: tuple[str, str]
) -> None:
    args = parse(*argv, "--smtp-port", "0")
    assert args.func(args) == 2
    assert "error" in capsys.readouterr().err and uvicorn_calls == []


def test_run_survives_a_taken_smtp_port(
    uvicorn_calls: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    from sandbox.mail import MailSink

    with MailSink() as taken:
        args = parse("--smtp-port", str(taken.port))
        assert args.func(args) == 0
    assert "SMTP sink not started" in capsys.readouterr().err
    assert "/_sandbox/mail" not in paths(uvicorn_calls[0]["app"])
