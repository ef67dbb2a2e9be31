"""Whether a number was opted out during a span, from what it texted (#16, after a loss)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bridge.domain.opt_out_history import opted_out_during

T0 = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # the night the clocks go back


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


AFTER, UNTIL = at(10), at(20)


@pytest.mark.parametrize(("texts", "expected"), [
    ([], False),
    ([(at(0), "STOP")], True),  # out before the span, still out in it
    ([(at(0), "STOP"), (at(5), "START")], False),  # back in before it began
    ([(at(0), "STOP"), (at(15), "START")], True),  # out when it began
    ([(at(12), "stop"), (at(15), "start")], True),  # out for a while within it
    ([(at(10), "Stop!")], True),  # at its very start
    ([(at(21), "STOP")], False),  # only after it
    ([(at(0), "JA"), (at(12), "nee"), (at(14), "K7M3QP")], False),  # answers, no opt-out
    ([(at(0), "STOP"), (at(5), "YES")], False),  # YES opts an opted-out number in
    ([(at(0), "YES"), (at(12), "Afmelden")], True),  # YES confirms; AFMELDEN opts out
    ([(at(0), "stop please")], False),  # a sentence is not Twilio's keyword
    ([(at(15), "START"), (at(0), "STOP")], True),  # order of the listing does not matter
    ([(at(15), "START")], True),  # opted in within it: out before, by a STOP read no more
    ([(at(5), "UNSTOP")], False),  # ... but back in before it began
    ([(at(12), "JA"), (at(15), "START")], True),  # answers before the opt-in change nothing
    ([(at(15), "YES")], False),  # a YES first is a confirmation, not an opt-in
])
def test_opted_out_during(texts: list[tuple[datetime, str]], expected: bool) -> None:
    assert opted_out_during(texts, AFTER, UNTIL) is expected
