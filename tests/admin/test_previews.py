"""The templates page renders e-mails with `can_reply` as the send job would."""

from __future__ import annotations

from bridge.admin.previews import Preview, previews
from bridge.settings import load_settings


def _find(shown: list[Preview], kind: str, channel: str) -> Preview:
    return next(p for p in shown if (p.kind, p.language, p.channel) == (kind, "nl", channel))


def test_an_email_preview_invites_an_sms_reply_only_beside_an_sms() -> None:
    alone, _ = previews(load_settings({"OABRIDGE_TWILIO_FROM": "+3197010000000"}))
    beside, _ = previews(load_settings({"OABRIDGE_TWILIO_FROM": "+3197010000000",
                                        "OABRIDGE_CHANNELS": "confirm_request:both"}))
    assert "per sms" not in _find(alone, "confirm_request", "email").text
    assert "ook per sms: antwoord daarop met JA" in _find(beside, "confirm_request", "email").text
    assert "per sms" not in _find(beside, "reminder", "email").text  # its policy: one channel
    for shown in (alone, beside):
        assert "Antwoord JA" in _find(shown, "confirm_request", "sms").text


def test_no_preview_invites_a_reply_to_an_alphanumeric_sender() -> None:
    shown, _ = previews(load_settings({"OABRIDGE_TWILIO_FROM": "DeLinde",
                                       "OABRIDGE_CHANNELS": "confirm_request:both"}))
    for channel in ("sms", "email"):
        assert "JA" not in _find(shown, "confirm_request", channel).text
