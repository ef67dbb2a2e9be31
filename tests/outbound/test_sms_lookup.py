"""`SmsSender.find_sent`: the lookup that decides whether a send a dead worker left
unknown went out (`bridge.sending.handover.settle_stale_sms`). A message missed here is
sent twice, so a message that Twilio sends between the lookup's two reads (its first,
filtered on `DateSent`, leaves out one not sent yet; its second reads the newest page)
must be found all the same. Real HTTP to the Twilio sandbox, whose messages here stay
queued until the test moves them on."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bridge.outbound.sms import SmsSender
from sandbox.booking import DEMO_API_KEY, DEMO_API_SECRET, BookingSandbox
from sandbox.clock import ManualClock
from sandbox.server import SandboxServer
from sandbox.twilio import DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, DEMO_NUMBER, TwilioSandbox

NOW = datetime(2026, 11, 30, 9, 0, 0, tzinfo=UTC)
TO = "+31612345678"


@pytest.fixture
def served() -> Iterator[tuple[TwilioSandbox, SandboxServer]]:
    clock = ManualClock(NOW)
    booking = BookingSandbox(DEMO_API_KEY, DEMO_API_SECRET, clock=clock)
    # A step of an hour: a message stays queued (no DateSent) while the test runs.
    with (
        TwilioSandbox(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, clock=clock, step_delay=3600) as twilio,
        SandboxServer(booking, extra_routes=twilio.routes()) as server,
    ):
        yield twilio, server
    booking.close()


def sender(server: SandboxServer) -> SmsSender:
    return SmsSender(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, sender=DEMO_NUMBER,
                     base_url=server.base_url)


def sent_between_the_reads(sms: SmsSender, twilio: TwilioSandbox, sid: str) -> list[str]:
    """After the lookup's first list request, Twilio sends the message (status `sent`,
    `DateSent` now), as it does at any moment; the lists asked for, in order."""
    asked: list[str] = []
    http = sms.client.http_client
    request = http.request

    def in_between(method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        response = request(method, url, *args, **kwargs)
        asked.append(",".join(sorted(kwargs.get("params") or {})))
        if len(asked) == 1:
            twilio._store.update(sid, status="sent", date_sent=NOW + timedelta(seconds=1))
        return response

    http.request = in_between  # type: ignore[method-assign]
    return asked


def test_a_message_sent_between_the_lookups_two_reads_is_found(
        served: tuple[TwilioSandbox, SandboxServer]) -> None:
    twilio, server = served
    sms = sender(server)
    sid = sms.send(TO, "Herinnering: morgen 10:00", None).provider_id
    asked = sent_between_the_reads(sms, twilio, sid)
    found = sms.find_sent(TO, "Herinnering: morgen 10:00", NOW)
    assert found is not None and found.provider_id == sid
    assert len(asked) == 2 and "DateSent>" in asked[0] and "DateSent>" not in asked[1]


def test_a_queued_message_is_found_and_an_older_one_is_not(
        served: tuple[TwilioSandbox, SandboxServer]) -> None:
    sms = sender(served[1])
    sid = sms.send(TO, "Herinnering: morgen 10:00", None).provider_id
    found = sms.find_sent(TO, "Herinnering: morgen 10:00", NOW)
    assert found is not None and found.provider_id == sid
    assert sms.find_sent(TO, "Herinnering: morgen 10:00", NOW + timedelta(seconds=1)) is None
    assert sms.find_sent(TO, "Een andere tekst", NOW) is None
