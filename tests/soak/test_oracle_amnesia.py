"""The soak's oracle on moves around an amnesia (#16): a move the bridge may never have
read before Redis lost its data cannot be announced (the old start went with the
memory), so its notice is not required; a move read well before is."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bench.soaklib.journal import APPROVED, Appointment, Journal, State
from bench.soaklib.planned_rules import PlannedRules
from bench.soaklib.verdict import AMNESIA_LEAD, AMNESIA_READ, Rules, Verdict

T0 = 1_796_400_000.0
KILL = T0 + 600
FOUND = KILL + 10


def judged(moved_at: float) -> Verdict:
    start = datetime.fromtimestamp(T0 + 3600, UTC)
    appointment = Appointment(1, 11, 6101, None, [
        State(T0, T0, "book", APPROVED, start),
        State(moved_at, moved_at, "move", APPROVED, start + timedelta(minutes=5)),
    ])
    journal = Journal(appointments={1: appointment})
    rules = Rules({}, allowance=20.0, grace=5.0, checked_at=T0 + 1800,
                  amnesia=((KILL, FOUND),), losses=((KILL, KILL + 1),))
    verdict = Verdict()
    PlannedRules(journal, rules, verdict, {11: "+31600000001"}).judge({}, [])
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
