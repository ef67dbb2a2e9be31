"""A customer's own words reach the practice's desk (#17): "Kan ik verzetten?" is
answered with the help text, as before, and now also lands in the inbox with the
appointment its number was asked about; handled twice it is there once; erasing the
number takes it out."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bridge.cli.main import main
from bridge.store.inbox import Inbox
from tests.flow.conftest import Flow
from tests.flow.test_replies import answers, prompted, reply, started


def test_a_free_text_reply_is_in_the_inbox_once_with_its_appointment(flow: Flow) -> None:
    started(flow)
    appointment = prompted(flow, "06-21000031")
    sid = reply(flow, "+31621000031", "Kan ik verzetten naar donderdag?")
    reply(flow, "+31621000031", "JA")  # not free text: not in the inbox
    assert flow.twilio.deliver_inbound(sid).result(10)["webhook"]["status"] == 200
    flow.run_jobs()  # the same reply again (Twilio's retry): still one entry
    assert sorted(answers(flow, "+31621000031")) == ["reply_help", "reply_need_code"]
    inbox = Inbox(flow.redis, 3600)
    [entry] = inbox.recent(10)
    assert (entry.sid, entry.body, entry.about) == (
        sid, "Kan ik verzetten naar donderdag?", (appointment,))
    assert entry.handled_at == 0
    assert inbox.mark_handled(sid, datetime(2026, 12, 6, 9, 0, tzinfo=UTC))
    assert inbox.mark_handled(sid, datetime(2026, 12, 6, 10, 0, tzinfo=UTC))
    assert inbox.recent(10)[0].handled_at == int(datetime(2026, 12, 6, 9, 0,
                                                          tzinfo=UTC).timestamp())
    assert not inbox.mark_handled("SMnosuchreply", datetime.now(UTC))


def test_erasing_the_number_empties_its_inbox_entries(
        flow: Flow, monkeypatch: pytest.MonkeyPatch) -> None:
    started(flow)
    prompted(flow, "06-21000032")
    reply(flow, "+31621000032", "Ik ben iets later")
    assert Inbox(flow.redis, 3600).count() == 1
    monkeypatch.setenv("OABRIDGE_REDIS_URL", flow.settings.redis_url)
    monkeypatch.setenv("OABRIDGE_ERASURE_KEY", "a-key-for-the-erasure-test-0001")
    assert main(["erase", "--phone", "+31621000032"]) == 0
    assert Inbox(flow.redis, 3600).count() == 0
