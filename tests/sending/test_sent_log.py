"""`SentLog`: one read of Twilio's log answers many lookups after a loss (#16). Found is
proof; not found proves nothing; "answered" is a true answer only where the read was
complete."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bridge.outbound.sms import LoggedSms
from bridge.sending.sent_log import SentLog

T0 = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)


def sms(sid: str, to: str, body: str, minutes: float, sent: bool = True) -> LoggedSms:
    at = T0 + timedelta(minutes=minutes)
    return LoggedSms(sid, to, body, "delivered" if sent else "queued",
                     at if sent else None, at)


LISTED = [sms("SM1", "+31600000001", "Herinnering 09:00", 1),
          sms("SM2", "+31600000001", "Herinnering 09:00", 5),
          sms("SM3", "+31600000002", "Geannuleerd", 6, sent=False),
          sms("SM4", "+31600000001", "Dank u, bevestigd", 7)]


def test_the_newest_free_match_since_the_time_asked_is_found() -> None:
    log = SentLog(LISTED, T0, T0 + timedelta(minutes=10))
    found = log.find("+31600000001", lambda body: body.startswith("Herinnering"),
                     T0 + timedelta(minutes=2))
    assert found is not None and found.provider_id == "SM2"
    other = log.find("+31600000001", lambda body: body.startswith("Herinnering"), T0,
                     taken=lambda sid: sid == "SM2")  # one SMS is one message's
    assert other is not None and other.provider_id == "SM1"
    queued = log.find("+31600000002", lambda body: True, T0 + timedelta(minutes=6))
    assert queued is not None and queued.provider_id == "SM3"  # accepted, not sent yet


def test_nothing_found_is_none_and_other_numbers_are_not_looked_at() -> None:
    log = SentLog(LISTED, T0, T0 + timedelta(minutes=10))
    assert log.find("+31600000001", lambda body: True, T0 + timedelta(minutes=8)) is None
    assert log.find("+31600000009", lambda body: True, T0) is None


def test_answered_holds_only_where_the_read_was_complete() -> None:
    log = SentLog(LISTED, T0, T0 + timedelta(minutes=10))
    assert log.covers(T0 + timedelta(minutes=6), T0 + timedelta(minutes=9))
    assert log.answered("+31600000001", T0 + timedelta(minutes=6),
                        T0 + timedelta(minutes=9), lambda body: body.startswith("Dank"))
    assert not log.answered("+31600000001", T0, T0 + timedelta(minutes=6),
                            lambda body: body.startswith("Dank"))
    assert not log.covers(T0 - timedelta(minutes=1), T0 + timedelta(minutes=5))  # before
    assert not log.covers(T0, T0 + timedelta(minutes=11))  # after the read began
    cut = SentLog(LISTED, T0, None)  # the listing was cut short: no "no" from it
    assert not cut.covers(T0, T0 + timedelta(minutes=1))


def test_a_customers_texts_are_listed_apart_from_what_was_sent_to_them() -> None:
    nee = LoggedSms("SM5", "+3197010000000", "NEE", "received", T0 + timedelta(minutes=3),
                    T0 + timedelta(minutes=3), sender="+31600000001")
    log = SentLog([*LISTED, nee], T0, T0 + timedelta(minutes=10))
    assert log.texts_from("+31600000001", T0, T0 + timedelta(minutes=4)) == [
        (T0 + timedelta(minutes=3), "NEE")]
    assert log.texts_from("+31600000001", T0 + timedelta(minutes=4), T0 + timedelta(
        minutes=9)) == []  # outside the span asked
    # A text is no SMS the bridge sent: never found as one, never an answer.
    assert log.find("+3197010000000", lambda body: True, T0) is None
    assert log.find("+31600000001", lambda body: body == "NEE", T0) is None
