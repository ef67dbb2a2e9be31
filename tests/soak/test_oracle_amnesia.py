"""The soak's oracle on moves around an amnesia (#16): a move the bridge may never have
read before Redis lost its data cannot be announced (the old start went with the
memory), so its notice is not required; a move read well before is."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bench.soaklib.evidence import Sent
from bench.soaklib.journal import (
    APPROVED,
    CANCELLED,
    PENDING,
    Appointment,
    Journal,
    Reply,
    State,
)
from bench.soaklib.planned_rules import PlannedRules
from bench.soaklib.skip_rules import CANCELLED_BY_REPLY, borne_out
from bench.soaklib.texts import Reading
from bench.soaklib.verdict import (
    AMNESIA_CATCH_UP,
    AMNESIA_HOLD,
    AMNESIA_LEAD,
    AMNESIA_READ,
    Rules,
    Skip,
    Verdict,
)
from bench.soaklib.world import AMSTERDAM

T0 = 1_796_400_000.0
KILL = T0 + 600
FOUND = KILL + 10


START = datetime.fromtimestamp(T0 + 3600, UTC)
MOVED_TO = START + timedelta(minutes=5)


def judged(moved_at: float, status: str = APPROVED, sent: tuple[str, ...] = (),
           confirmed_at: float | None = None) -> Verdict:
    """One appointment booked at T0 and moved at `moved_at` (then confirmed, if asked);
    `sent`: the texts the customer got about its new start ("prompt", "moved_prompt")."""
    history = [State(T0, T0, "book", status, START),
               State(moved_at, moved_at, "move", status, MOVED_TO)]
    if confirmed_at is not None:
        history.append(State(confirmed_at, confirmed_at, "confirm", APPROVED, MOVED_TO))
    journal = Journal(appointments={1: Appointment(1, 11, 6101, None, history)})
    rules = Rules({}, allowance=20.0, grace=5.0, checked_at=T0 + 1800,
                  amnesia=((KILL, FOUND),), losses=((KILL, KILL + 1),))
    hhmm = MOVED_TO.astimezone(AMSTERDAM).strftime("%H:%M")
    texts = {"prompt": f"Wilt u uw afspraak om {hhmm} bevestigen?",
             "moved_prompt": f"Uw afspraak is verplaatst naar {hhmm}. Wilt u bevestigen?"}
    messages = [Sent("sms", "+31600000001", FOUND + 40 + i,
                     Reading("prompt" if kind == "prompt" else "rescheduled", hhmm),
                     f"SM{i}", texts[kind]) for i, kind in enumerate(sent)]
    if status == PENDING:  # the booking's own prompt, long before
        first = START.astimezone(AMSTERDAM).strftime("%H:%M")
        messages.append(Sent("sms", "+31600000001", T0 + 5, Reading("prompt", first),
                             "SMfirst", f"Wilt u uw afspraak om {first} bevestigen?"))
    verdict = Verdict()
    PlannedRules(journal, rules, verdict, {11: "+31600000001"}).judge({1: messages}, [])
    return verdict


@pytest.mark.parametrize("moved_at", [KILL - AMNESIA_LEAD + 1, KILL - 1, KILL + 5,
                                      FOUND + AMNESIA_READ - 1])
def test_a_move_unread_before_the_amnesia_may_go_unannounced(moved_at: float) -> None:
    verdict = judged(moved_at)
    assert verdict.messages.missing == 0 and verdict.unannounced_moves == 1


@pytest.mark.parametrize("moved_at", [KILL - AMNESIA_LEAD - 30, FOUND + AMNESIA_READ + 30])
def test_a_move_the_bridge_could_read_must_be_announced(moved_at: float) -> None:
    verdict = judged(moved_at)
    assert verdict.messages.missing == 1 and verdict.unannounced_moves == 0
    assert any("missing rescheduled" in p for p in verdict.problems)


def test_a_pending_move_unread_before_the_amnesia_is_asked_by_a_prompt() -> None:
    asked = judged(KILL - 1, PENDING, sent=("prompt",))
    assert asked.messages.missing == 0 and asked.messages.wrong == 0
    assert asked.unannounced_moves == 1
    never_asked = judged(KILL - 1, PENDING)
    assert never_asked.messages.missing == 1
    assert any("missing prompt" in p for p in never_asked.problems)
    # Confirmed before the bridge read it again: nothing to ask, nothing missing.
    assert judged(KILL - 1, PENDING, confirmed_at=FOUND + 5).messages.missing == 0


def test_a_pending_move_is_not_asked_twice() -> None:
    twice = judged(KILL - 1, PENDING, sent=("prompt", "moved_prompt"))
    assert twice.messages.duplicate == 1
    assert any("asked twice" in p for p in twice.problems)


@pytest.mark.parametrize(("booked_at", "required"), [
    (FOUND + 1, False),  # within the silence after the loss: 20 s left no time to ask
    (FOUND + AMNESIA_HOLD, False),  # in the catch-up: behind the backlog of re-asks
    (FOUND + AMNESIA_HOLD + AMNESIA_CATCH_UP, True),  # after both: the allowance as ever
    (KILL - 30, True),  # 30 s before the loss: time enough
])
def test_the_silence_after_an_amnesia_does_not_count_towards_the_allowance(
        booked_at: float, required: bool) -> None:
    history = [State(booked_at, booked_at, "book", PENDING, START),
               State(booked_at + 21, booked_at + 21, "confirm", APPROVED, START)]
    journal = Journal(appointments={1: Appointment(1, 11, 6101, None, history)})
    rules = Rules({}, allowance=20.0, grace=5.0, checked_at=T0 + 1800,
                  amnesia=((KILL, FOUND),), losses=((KILL, KILL + 1),))
    verdict = Verdict()
    PlannedRules(journal, rules, verdict, {11: "+31600000001"}).judge({}, [])
    assert verdict.messages.missing == (1 if required else 0)


def moved_back(channel: str, sent_at: tuple[float, float]) -> Verdict:
    """Booked at T0, moved to MOVED_TO, back to START, then to MOVED_TO again (one start
    announced once); the MOVED_TO notice accepted by `channel` at both `sent_at`."""
    history = [State(T0, T0, "book", APPROVED, START),
               State(T0 + 60, T0 + 60, "move", APPROVED, MOVED_TO),
               State(T0 + 300, T0 + 300, "move", APPROVED, START),
               State(FOUND + 200, FOUND + 200, "move", APPROVED, MOVED_TO)]
    journal = Journal(appointments={1: Appointment(1, 11, 6101, None, history)})
    rules = Rules({}, allowance=20.0, grace=5.0, checked_at=T0 + 1800,
                  amnesia=((KILL, FOUND),), losses=((KILL, KILL + 1),))
    hhmm = MOVED_TO.astimezone(AMSTERDAM).strftime("%H:%M")
    back = START.astimezone(AMSTERDAM).strftime("%H:%M")
    to = "+31600000001" if channel == "sms" else "klant@example.nl"
    messages = [Sent(channel, to, at, Reading("rescheduled", hhmm), f"M{i}",
                     f"Uw afspraak is verplaatst naar {hhmm}.")
                for i, at in enumerate(sent_at)]
    messages.append(Sent(channel, to, T0 + 310, Reading("rescheduled", back), "Mback",
                         f"Uw afspraak is verplaatst naar {back}."))
    verdict = Verdict()
    PlannedRules(journal, rules, verdict, {11: "+31600000001"}).judge({1: messages}, [])
    return verdict


def test_a_move_notice_emailed_again_after_an_amnesia_is_counted_apart() -> None:
    """A move back, after the loss, to a start e-mailed before it: no SMTP server says
    what it delivered, so the e-mail goes again; allowed, counted apart."""
    emailed = moved_back("email", (T0 + 70, FOUND + 210))
    assert emailed.messages.duplicate == 0 and emailed.emailed_again["rescheduled"] == 1
    assert emailed.problems == []
    # By SMS it is a duplicate (Twilio's log says what went), as is an e-mail repeated
    # with no loss between the two.
    assert moved_back("sms", (T0 + 70, FOUND + 210)).messages.duplicate == 1
    same_side = moved_back("email", (FOUND + 205, FOUND + 210))
    assert same_side.messages.duplicate == 1 and not same_side.emailed_again


def told(sent_at: float, confirmed_at: float) -> Verdict:
    """A pending appointment moved well away from any amnesia, confirmed at
    `confirmed_at`; the move's notice, told only (no question), accepted at `sent_at`."""
    moved_at = FOUND + AMNESIA_READ + 300
    history = [State(T0, T0, "book", PENDING, START),
               State(moved_at, moved_at, "move", PENDING, MOVED_TO),
               State(moved_at + confirmed_at, moved_at + confirmed_at, "confirm", APPROVED,
                     MOVED_TO)]
    journal = Journal(appointments={1: Appointment(1, 11, 6101, None, history)})
    rules = Rules({}, allowance=20.0, grace=5.0, checked_at=T0 + 3000,
                  amnesia=((KILL, FOUND),), losses=((KILL, KILL + 1),))
    first = START.astimezone(AMSTERDAM).strftime("%H:%M")
    hhmm = MOVED_TO.astimezone(AMSTERDAM).strftime("%H:%M")
    messages = [Sent("sms", "+31600000001", T0 + 5, Reading("prompt", first), "SMfirst",
                     f"Wilt u uw afspraak om {first} bevestigen?"),
                Sent("sms", "+31600000001", moved_at + sent_at, Reading("rescheduled", hhmm),
                     "SMmove", f"Uw afspraak is verplaatst naar {hhmm}.")]
    verdict = Verdict()
    PlannedRules(journal, rules, verdict, {11: "+31600000001"}).judge({1: messages}, [])
    return verdict


def test_a_pending_move_told_after_the_customer_confirmed_asks_nothing() -> None:
    """Seen in the full soak: a pending move confirmed 21 s later, its notice sent 4 s
    after the confirmation, as the state then was: told, not asked."""
    after = told(sent_at=25.0, confirmed_at=21.0)
    assert after.messages.missing == 0 and after.messages.wrong == 0
    before = told(sent_at=10.0, confirmed_at=21.0)  # told only while it still asked
    assert before.messages.missing == 1
    assert any("missing moved_prompt" in p for p in before.problems)


@pytest.mark.parametrize(("replied", "cancelled", "true"), [
    ("nee", True, True), ("ja", True, False), ("nee", False, False)])
def test_an_unseen_cancellation_skipped_as_the_customers_own_needs_their_nee(
        replied: str, cancelled: bool, true: bool) -> None:
    """The bridge skips the unseen cancellation of an appointment its customer cancelled
    by SMS (`bridge.sending.own_cancellation`): true only after a NEE from the customer,
    with the appointment cancelled."""
    history = [State(T0, T0, "book", PENDING, START)]
    if cancelled:
        history.append(State(KILL - 30, KILL - 29, "sms-cancel", CANCELLED, START))
    appointment = Appointment(1, 11, 6101, None, history)
    replies = [Reply(KILL - 30, "+31600000001", replied.upper(), replied, 1, PENDING, False)]
    skip = Skip(1, "cancelled", "unseen", START.timestamp(), CANCELLED_BY_REPLY, FOUND + 5)
    rules = Rules({}, allowance=20.0, grace=5.0, checked_at=T0 + 1800,
                  amnesia=((KILL, FOUND),), losses=((KILL, KILL + 1),))
    assert borne_out(appointment, skip, rules, "+31600000001", replies) is true


def test_a_move_back_after_a_move_away_is_asked_about_again() -> None:
    """The full soak on ee8876b: prompted for 05:39, moved to 05:44 and, around the
    amnesia, back to 05:39: the move back's asking notice is a new question about a new
    stay there, not the prompt asked twice."""
    first = START.astimezone(AMSTERDAM).strftime("%H:%M")
    history = [State(T0, T0, "book", PENDING, START),
               State(KILL - 40, KILL - 40, "move", PENDING, MOVED_TO),
               State(KILL - 1, KILL - 1, "move", PENDING, START)]
    journal = Journal(appointments={1: Appointment(1, 11, 6101, None, history)})
    rules = Rules({}, allowance=20.0, grace=5.0, checked_at=T0 + 1800,
                  amnesia=((KILL, FOUND),), losses=((KILL, KILL + 1),))
    messages = [
        Sent("sms", "+31600000001", T0 + 5, Reading("prompt", first), "SM1",
             f"Wilt u uw afspraak om {first} bevestigen?"),
        Sent("sms", "+31600000001", FOUND + 40, Reading("rescheduled", first), "SM2",
             f"Uw afspraak is verplaatst naar {first}. Wilt u bevestigen?")]
    verdict = Verdict()
    PlannedRules(journal, rules, verdict, {11: "+31600000001"}).judge({1: messages}, [])
    assert verdict.messages.duplicate == 0, verdict.problems
    assert not any("asked twice" in p for p in verdict.problems)
