"""Readings of the full soaks on 6dd862c and 3b09acc the oracle got wrong, each the bridge's
right behaviour around an amnesia or a quick pair of changes (#16)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from bench.soaklib.evidence import Sent
from bench.soaklib.journal import APPROVED, PENDING, Appointment, Journal, Reply, State
from bench.soaklib.orphans import orphaned_sends
from bench.soaklib.planned_rules import PlannedRules
from bench.soaklib.reply_rules import ReplyRules
from bench.soaklib.skip_rules import borne_out
from bench.soaklib.texts import Reading
from bench.soaklib.verdict import Rules, Skip, Verdict
from bench.soaklib.world import AMSTERDAM

T0 = 1_796_400_000.0
KILL = T0 + 600
PHONE = "+31600000001"


def rules(**amnesia: tuple[tuple[float, float], ...]) -> Rules:
    return Rules({}, allowance=20.0, grace=5.0, checked_at=T0 + 1800, **amnesia)


def at(seconds: float) -> datetime:
    return datetime.fromtimestamp(T0 + seconds, UTC)


def local(seconds: float) -> str:
    return at(seconds).astimezone(AMSTERDAM).strftime("%H:%M")


def test_a_reminder_twilio_took_as_redis_died_opened_its_conversation_before() -> None:
    """The conversation is written before Twilio is called: a reminder Twilio accepted
    0.02 s after the kill had opened it before the loss, and the JA 20 s later found
    none ("no appointment", allowed), not a fresh invitation's."""
    appointment = Appointment(1, 11, 6101, None, [State(T0, T0, "book", APPROVED, at(700))])
    journal = Journal(appointments={1: appointment},
                      replies=[Reply(KILL + 20, PHONE, "JA", "ja", 1, APPROVED, False)])
    judged = ReplyRules(journal, rules(amnesia=((KILL, KILL + 1),)), Verdict())
    reminder = Sent("sms", PHONE, KILL + 0.02, Reading("reminder", "10:00"), "SM1", "Tot zo")
    answer = Sent("sms", PHONE, KILL + 29, Reading("no_appointment", None), "SM2", "Geen")
    judged.judge_replies({PHONE: [answer]}, [reminder, answer], {})
    assert judged.verdict.answers.wrong == 0, judged.verdict.problems
    assert judged.verdict.forgotten_conversations == 1
    # Taken 10 s after the kill, the reminder was sent anew: its conversation stands.
    late = Sent("sms", PHONE, KILL + 10, Reading("reminder", "10:00"), "SM1", "Tot zo")
    strict = ReplyRules(journal, rules(amnesia=((KILL, KILL + 1),)), Verdict())
    strict.judge_replies({PHONE: [answer]}, [late, answer], {})
    assert strict.verdict.answers.wrong == 1


def test_a_notice_skipped_as_started_by_the_start_a_later_move_gave() -> None:
    """A move notice for 00:40 handled once the appointment had moved on to 00:39 and
    00:39 had passed: the appointment had started."""
    appointment = Appointment(1, 11, 6101, None, [
        State(T0, T0, "book", APPROVED, at(2640)),
        State(T0 + 100, T0 + 100, "move", APPROVED, at(2400)),
        State(T0 + 115, T0 + 115, "move", APPROVED, at(2340))])
    notice = Skip(1, "rescheduled", "", at(2400).timestamp(), "appointment_started",
                  T0 + 2348)
    assert borne_out(appointment, notice, rules(), PHONE, [])
    early = Skip(1, "rescheduled", "", at(2400).timestamp(), "appointment_started", T0 + 2300)
    assert not borne_out(appointment, early, rules(), PHONE, [])


def test_a_pending_move_told_after_the_customers_code_confirmed_asks_nothing() -> None:
    """Moved while pending; Twilio refused the moved prompt for now; the customer's code
    to the first prompt confirmed it; the retry told the move and asked nothing."""
    appointment = Appointment(1, 11, 6101, "ABC123", [
        State(T0, T0, "book", PENDING, at(3000)),
        State(T0 + 60, T0 + 60, "move", PENDING, at(2400)),
        State(T0 + 75, T0 + 85, "sms-confirm", APPROVED, at(2400))])
    journal = Journal(appointments={1: appointment})
    prompt = Sent("sms", PHONE, T0 + 2, Reading("prompt", local(3000)), "SM1", "Bevestigen?")
    told = Sent("sms", PHONE, T0 + 90, Reading("rescheduled", local(2400)), "SM2", "Verplaatst")
    verdict = Verdict()
    PlannedRules(journal, rules(), verdict, {11: PHONE}).judge({1: [prompt, told]}, [])
    assert verdict.messages.missing == 0, verdict.problems


def test_a_prompt_behind_a_killed_attempt_may_miss_a_state_shorter_than_its_wait(
        tmp_path: Path) -> None:
    """The full soak on 3b09acc: a prompt's attempt was killed mid-send; the next one
    waited for the dead claim (the bridge's ORPHAN_SECONDS) and the practice confirmed
    23 s after booking, before it could send. Told by the workers' logs."""
    logs = tmp_path / "logs"
    logs.mkdir()
    held = {"message": f"1:confirm_request::{int(at(3000).timestamp())}",
            "reason": "another attempt's worker stopped mid-send", "seconds": 14,
            "event": "send_held_back", "level": "info"}
    (logs / "worker-7.log").write_text(
        'INFO httpx HTTP Request: GET http://x "HTTP/1.1 200 OK"\n'
        + json.dumps(held) + 'INFO httpx HTTP Request: POST http://y\n', encoding="utf-8")
    orphaned = orphaned_sends(logs)
    assert orphaned == {(1, "confirm_request", int(at(3000).timestamp()))}

    def missing(confirmed_after: float, marked: frozenset[tuple[int, str, int]]) -> int:
        appointment = Appointment(1, 11, 6101, "ABC123", [
            State(T0, T0, "book", PENDING, at(3000)),
            State(T0 + confirmed_after, T0 + confirmed_after, "confirm", APPROVED,
                  at(3000))])
        verdict = Verdict()
        PlannedRules(Journal(appointments={1: appointment}),
                     Rules({}, allowance=20.0, grace=5.0, checked_at=T0 + 1800,
                           orphaned=marked), verdict, {11: PHONE}).judge({}, [])
        return verdict.messages.missing

    assert missing(23.1, orphaned) == 0
    assert missing(23.1, frozenset()) == 1
    assert missing(45.0, orphaned) == 1  # longer than the allowance and the wait
