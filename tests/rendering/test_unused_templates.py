"""Files in the operator's folder that no message uses: ignored, never an error, and
named (with why) by `oabridge templates list` and the worker's start-up log.

The case that matters: `reply_opted_out` / `reply_opted_in` from an earlier version.
The bridge never answers STOP or START (Twilio's Advanced Opt-Out does), so such a
file must neither break start-up nor be sent.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from structlog.testing import capture_logs

from bridge.cli.templates_command import main
from bridge.rendering import KINDS, RETIRED_KINDS
from bridge.settings import load_settings
from tests.rendering.builders import context, renderer
from workers.runtime import renderer_for


def _write(folder: Path, name: str, text: str = "Eigen tekst van {{ practice.name }}.") -> None:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def operator_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "templates"
    _write(folder, "nl/reply_opted_out.sms.j2", "U ontvangt geen sms meer. {{ nickname }}")
    _write(folder, "en/reply_opted_in.sms.j2")
    _write(folder, "nl/reminder.sms.j2")  # a real override
    _write(folder, "nl/_signature.j2")  # a part other templates include
    _write(folder, "nl/reply_help.email.txt.j2")  # replies have no e-mail
    _write(folder, "nl/herinnering.sms.j2")  # misspelt kind
    _write(folder, "reminder.sms.j2")  # outside a language folder
    return folder


def test_the_opt_out_answers_are_no_longer_kinds() -> None:
    assert set(RETIRED_KINDS) == {"reply_opted_out", "reply_opted_in"}
    assert not set(RETIRED_KINDS) & set(KINDS)


def test_an_old_opt_out_template_is_ignored_and_named(operator_dir: Path) -> None:
    own = renderer(templates_dir=operator_dir)  # start-up: no error
    assert own.render("reminder", "nl", "sms", context("reminder")).text == (
        "Eigen tekst van Fysiotherapie De Linde."
    )
    unused = {u.path: u.why for u in own.unused_templates()}
    assert set(unused) == {
        "nl/reply_opted_out.sms.j2", "en/reply_opted_in.sms.j2", "nl/reply_help.email.txt.j2",
        "nl/herinnering.sms.j2", "reminder.sms.j2",
    }
    assert "Twilio answers STOP itself" in unused["nl/reply_opted_out.sms.j2"]
    assert "Twilio answers START itself" in unused["en/reply_opted_in.sms.j2"]
    assert "Twilio console" in unused["nl/reply_opted_out.sms.j2"]
    assert unused["nl/reply_help.email.txt.j2"] == "reply_help has no email message"
    assert "no message kind 'herinnering'" in unused["nl/herinnering.sms.j2"]
    assert "language folder" in unused["reminder.sms.j2"]


def test_the_shipped_folder_has_nothing_unused() -> None:
    from bridge.rendering.environment import SHIPPED_TEMPLATES
    from bridge.rendering.unused import unused_templates

    assert unused_templates(SHIPPED_TEMPLATES) == ()


def test_the_worker_starts_and_logs_what_it_ignores(operator_dir: Path) -> None:
    settings = load_settings({"OABRIDGE_TEMPLATES_DIR": str(operator_dir)})
    with capture_logs() as logs:
        renderer_for(settings)
    ignored = {e["template"]: e["why"] for e in logs if e["event"] == "template_not_used"}
    assert "nl/reply_opted_out.sms.j2" in ignored
    assert all(e["log_level"] == "warning" for e in logs if e["event"] == "template_not_used")


def test_templates_list_names_them(
    operator_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OABRIDGE_TEMPLATES_DIR", str(operator_dir))
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "not used (ignored):" in out
    assert "  nl/reply_opted_out.sms.j2: Twilio answers STOP itself" in out
    assert "reply_opted" not in out.split("templates from:")[0]  # not listed as a kind
