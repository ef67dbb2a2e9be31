"""The shipped message kinds, the channels each has, and their template file names.

A kind's texts live in one file per language and channel: `nl/reminder.sms.j2`, and
for e-mail `nl/reminder.email.txt.j2` (which also holds the subject, in a `subject`
block) with `nl/reminder.email.html.j2` beside it. The replies of two-way SMS exist
only as SMS.
"""

from __future__ import annotations

__all__ = [
    "APPOINTMENT_KINDS",
    "CHANNELS",
    "EMAIL",
    "KINDS",
    "REPLY_KINDS",
    "RESCHEDULED_CONFIRM",
    "RETIRED_KINDS",
    "SMS",
    "channels_of",
    "template_name",
]

SMS = "sms"
EMAIL = "email"
CHANNELS = (SMS, EMAIL)

RESCHEDULED_CONFIRM = "rescheduled_confirm"
"""A moved appointment that awaits confirmation: the move told and the confirmation
asked in one text, instead of a `rescheduled` and a `confirm_request`. Its own kind, so
an operator's `rescheduled` text, written without an ask, never replaces it."""

APPOINTMENT_KINDS = ("reminder", "confirm_request", "rescheduled", RESCHEDULED_CONFIRM,
                     "cancelled")
"""Messages the bridge sends on its own, about one appointment, by SMS or e-mail."""

REPLY_KINDS = (
    "reply_confirmed",
    "reply_already_confirmed",
    "reply_wrong_code",
    "reply_need_code",
    "reply_cancelled",
    "reply_too_late",
    "reply_choose",
    "reply_help",
    "reply_no_appointment",
    "reply_failed",
)
"""Answers to a customer's SMS: SMS only.

None answers STOP, START or HELP on its own: Twilio's Advanced Opt-Out does, with the
texts set in the Twilio console, and refuses our messages to a number that opted out.
"""

RETIRED_KINDS = {
    "reply_opted_out": "Twilio answers STOP itself (Advanced Opt-Out, texts set in the "
    "Twilio console) and refuses messages to an opted-out number: the bridge never sends it",
    "reply_opted_in": "Twilio answers START itself (Advanced Opt-Out, texts set in the "
    "Twilio console): a second answer from the bridge would double it, so it is never sent",
}
"""Kinds earlier versions shipped; an operator's template of one is ignored, with this note."""

KINDS = APPOINTMENT_KINDS + REPLY_KINDS


def channels_of(kind: str) -> tuple[str, ...]:
    """The channels a shipped kind has templates for; empty for an unknown kind."""
    if kind in APPOINTMENT_KINDS:
        return CHANNELS
    if kind in REPLY_KINDS:
        return (SMS,)
    return ()


def template_name(language: str, kind: str, channel: str, part: str = "txt") -> str:
    """The loader name of a template: `nl/reminder.sms.j2`, `en/cancelled.email.html.j2`."""
    if channel == SMS:
        return f"{language}/{kind}.sms.j2"
    return f"{language}/{kind}.email.{part}.j2"
