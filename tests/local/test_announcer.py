"""The demo's terminal: each message with its text, the customers' replies, Twilio's own
answers and what each reply changed upstream, in order, with the zone's label."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from redis import Redis
from starlette.applications import Starlette

from bridge.store.message_log import MessageLog, MessageRecord
from bridge.store.reply_effects import ReplyEffect, ReplyEffects
from sandbox.clock import ManualClock
from sandbox.local.announcer import Announcer
from sandbox.local.display import GUTTER
from sandbox.local.sandbox_feed import SandboxFeed
from sandbox.twilio import DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, DEMO_NUMBER, TwilioSandbox
from tests.support.asgi_server import free_port, serve

TZ = ZoneInfo("Europe/Amsterdam")
#: Thursday 3 December 2026, 10:42:05 in Amsterdam (CET).
NOW = datetime(2026, 12, 3, 9, 42, 5, tzinfo=UTC)
SMS_TEXT = ("Dear Sébastien,\nPlease confirm your appointment at Fysiotherapie De Linde on "
            "Friday 4 December at 10:00 (Intake, Marieke de Vries).\nReply with your code.")


@pytest.fixture
def twilio() -> Iterator[TwilioSandbox]:
    with TwilioSandbox(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, clock=ManualClock(NOW)) as sandbox:
        yield sandbox


@pytest.fixture
def sandbox_url(twilio: TwilioSandbox) -> Iterator[str]:
    with serve(Starlette(routes=twilio.routes())) as url:
        yield url


def message(log: MessageLog, ident: str, channel: str, *, kind: str = "confirm_request",
            text: str = SMS_TEXT, subject: str = "", appointment: int = 30012003) -> str:
    recipient = "+33612345678" if channel == "sms" else "henk@example.com"
    log.open(MessageRecord(f"{ident}:{channel}", ident, appointment, kind, channel,
                           recipient, "claimed", text=text, subject=subject), NOW)
    return f"{ident}:{channel}"


def test_a_message_shows_its_text_once_and_each_status_change(redis: Redis) -> None:
    log = MessageLog(redis, 3600)
    announcer = Announcer(log, ReplyEffects(redis, 3600), TZ)
    sms = message(log, "k1", "sms")
    assert announcer.lines() == []  # claimed: not sent yet
    log.advance(sms, "sent", NOW)
    lines = announcer.lines()
    assert lines[0].startswith("10:42:05 CET  SMS   to +33*******78")
    assert lines[0].endswith("confirm_request  appointment 30012003: sent")
    shown = " ".join(line.removeprefix(GUTTER) for line in lines[1:])
    assert shown == " ".join(SMS_TEXT.splitlines())  # the whole text, wrapped
    assert all(line.startswith(GUTTER) and len(line) <= 100 for line in lines[1:])
    log.advance(sms, "delivered", NOW + timedelta(seconds=1))
    assert announcer.lines() == [
        "10:42:06 CET  SMS   to +33*******78         confirm_request  appointment 30012003: "
        "delivered"]
    assert announcer.lines() == []


def test_an_email_shows_its_subject_and_first_line(redis: Redis) -> None:
    log = MessageLog(redis, 3600)
    mail = message(log, "k2", "email", kind="reminder", subject="Herinnering: uw afspraak",
                   text="\nBeste Henk,\n\nUw afspraak is op maandag.\n")
    log.advance(mail, "sent", NOW)
    lines = Announcer(log, ReplyEffects(redis, 3600), TZ).lines()
    assert "EMAIL to h***@example.com" in lines[0]
    assert lines[1:] == [GUTTER + "Subject: Herinnering: uw afspraak", GUTTER + "Beste Henk,"]


def test_an_sms_found_at_twilio_after_redis_forgot_says_it_was_not_sent_again(
    redis: Redis
) -> None:
    """After an emptied Redis the recovery records an SMS it found in Twilio's log as sent
    (#16): the demo's terminal says why, so it does not read as a second SMS."""
    log = MessageLog(redis, 3600)
    sms = message(log, "k3", "sms")
    log.advance(sms, "sent", NOW,
                detail="found at Twilio after Redis lost its memory; not repeated")
    lines = Announcer(log, ReplyEffects(redis, 3600), TZ).lines()
    assert lines[0].endswith("appointment 30012003: sent (found at Twilio after Redis lost "
                             "its memory; not repeated)")


def test_summer_times_say_so(redis: Redis) -> None:
    log = MessageLog(redis, 3600)
    sms = message(log, "k3", "sms")
    log.advance(sms, "failed", datetime(2026, 7, 1, 8, 0, tzinfo=UTC), code=21610)
    [first, *_] = Announcer(log, ReplyEffects(redis, 3600), TZ).lines()
    assert first.startswith("10:00:00 CEST") and first.endswith("failed (21610)")


def test_a_reply_then_its_effect_then_the_answer_and_twilios_own_answers(
    redis: Redis, twilio: TwilioSandbox, sandbox_url: str
) -> None:
    log, effects = MessageLog(redis, 3600), ReplyEffects(redis, 3600)
    announcer = Announcer(log, effects, TZ, SandboxFeed(sandbox_url, TZ))
    # Written in the wrong order on purpose: the terminal puts them in causal order.
    answer = message(log, "k4", "sms", kind="reply_confirmed", text="Thank you!")
    log.advance(answer, "sent", NOW)
    effects.record(ReplyEffect(30012003, "PENDING", "APPROVED", "confirmed", "sms",
                               "+33*******78", NOW.timestamp()))
    twilio.receive("+33612345678", "K7M3QP")
    twilio.receive("+31620934418", "STOP")  # Twilio answers this one itself
    twilio.create_message({"To": "+33612345678", "From": DEMO_NUMBER, "Body": "not shown"})
    assert [re.sub(r"\s+", " ", line).strip() for line in announcer.lines()] == [
        "10:42:05 CET SMS from +33*******78 (reply) 'K7M3QP'",
        "10:42:05 CET SMS from +31*******18 (reply) 'STOP'",
        "10:42:05 CET SMS to +31*******18 Twilio's own answer to STOP",
        "│ You have successfully been unsubscribed. You will not receive any more messages "
        "from",
        "│ this number. Reply START to resubscribe.",
        "10:42:05 CET BOOKING appointment 30012003: PENDING → APPROVED (confirmed by SMS "
        "from +33*******78)",
        "10:42:05 CET SMS to +33*******78 reply_confirmed appointment 30012003: sent",
        "│ Thank you!",
    ]
    assert announcer.lines() == []


def test_what_happened_before_this_run_is_not_news(
    redis: Redis, twilio: TwilioSandbox, sandbox_url: str
) -> None:
    log, effects = MessageLog(redis, 3600), ReplyEffects(redis, 3600)
    log.advance(message(log, "old", "sms"), "sent", NOW)
    effects.record(ReplyEffect(1, "PENDING", "APPROVED", "confirmed", "sms", "+3***1", 0))
    twilio.receive("+33612345678", "JA")
    announcer = Announcer(log, effects, TZ, SandboxFeed(sandbox_url, TZ))
    announcer.skip_history()
    assert announcer.lines() == []
    log.advance(message(log, "new", "sms", appointment=0, kind="reply_help"), "sent", NOW)
    assert "no appointment: sent" in announcer.lines()[0]


def test_an_unreachable_sandbox_shows_nothing_and_no_error(redis: Redis) -> None:
    feed = SandboxFeed(f"http://127.0.0.1:{free_port()}", TZ)
    feed.skip_history()
    assert feed.new() == []
