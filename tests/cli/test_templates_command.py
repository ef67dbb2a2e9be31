"""`oabridge templates list` and `oabridge templates preview`."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bridge.cli.templates_command import main
from bridge.rendering import KINDS


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in os.environ:
        if name.startswith("OABRIDGE_"):
            monkeypatch.delenv(name)


def test_list_shows_every_kind_and_its_channels(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert all(kind in out for kind in KINDS)
    assert "reminder                 sms, email" in out


def test_preview_sms_shows_text_encoding_and_segments(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["preview", "reminder", "--lang", "nl", "--channel", "sms"]) == 0
    out = capsys.readouterr().out
    assert "dinsdag 24 november om 14:30" in out
    assert "GSM-7, 2 segment(s)" in out


def test_preview_without_replies_does_not_invite_one(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["preview", "confirm_request", "--lang", "en", "--no-reply"]) == 0
    out = capsys.readouterr().out
    assert "NEE" not in out and "Please call us on 030-2345678" in out


def test_preview_email_shows_subject_text_and_html(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["preview", "cancelled", "--lang", "en", "--channel", "email"]) == 0
    out = capsys.readouterr().out
    assert "Subject: Your appointment at Fysiotherapie De Linde" in out
    assert "--- text ---" in out and "--- html ---" in out and '<html lang="en">' in out


def test_preview_uses_the_configured_practice_and_language(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OABRIDGE_DEFAULT_LANGUAGE", "en")
    monkeypatch.setenv("OABRIDGE_PRACTICE_NAME", "Tandartspraktijk Zoë")
    assert main(["preview", "reply_confirmed"]) == 0
    assert "Your appointment at Tandartspraktijk Zoe on" in capsys.readouterr().out


def test_preview_of_an_operator_template_that_breaks_says_where(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "nl").mkdir()
    (tmp_path / "nl" / "reminder.sms.j2").write_text("{{ customer.nickname }}")
    monkeypatch.setenv("OABRIDGE_TEMPLATES_DIR", str(tmp_path))
    assert main(["preview", "reminder"]) == 1
    assert "nl/reminder.sms.j2" in capsys.readouterr().err


def test_preview_of_a_channel_a_kind_does_not_have(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["preview", "reply_help", "--channel", "email"]) == 2
    assert "reply_help has no email template" in capsys.readouterr().err


def test_preview_longest_stays_within_two_segments(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["preview", "confirm_request", "--lang", "nl", "--longest"]) == 0
    assert "GSM-7, 2 segment(s)" in capsys.readouterr().out
