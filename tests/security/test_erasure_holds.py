"""Issue #15, finding 1: an erasure is undone within minutes.

`oabridge erase` removed what Redis held, and the next inbound reconciliation (which
listed Twilio's newest messages and took every MessageSid Redis did not know as new)
recorded and handled the erased reply again; a reminder due after the erasure fetched
the customer's contact again and texted them. Now the erasure leaves tombstones that
every reconciliation, poll and retry honours: over real HTTP (the Twilio and booking
sandboxes, the ingress), real Redis and RQ workers.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from bridge.store import keys
from tests.flow.conftest import Flow, make_flow  # noqa: F401  (the fixture)
from tests.flow.test_missed_stop import remind
from tests.flow.test_replies import prompted, reply, started
from tests.security.erasing import erase, sms_sent_to, traces
from workers import replies

pytestmark = pytest.mark.slow

MakeFlow = Callable[..., Flow]
Capture = pytest.CaptureFixture[str]


@pytest.fixture
def flow(make_flow: MakeFlow) -> Flow:  # noqa: F811
    return started(make_flow())


def test_an_erased_reply_is_not_brought_back_by_the_reconciliation(
    flow: Flow, monkeypatch: pytest.MonkeyPatch, capsys: Capture
) -> None:
    prompted(flow, "06-21000040")
    sid = reply(flow, "+31621000040", "hoe laat?")
    sent = sms_sent_to(flow, "+31621000040")
    assert len(sent) == 2  # the prompt and the answer
    assert traces(flow.redis, "+31621000040") != []  # what the erasure must remove

    status, out = erase(flow, monkeypatch, capsys, "--phone", "+31621000040")
    assert status == 0 and "inbound message" in out
    flow.clock.advance(timedelta(seconds=flow.settings.inbound_reconcile_interval))
    result = replies.reconcile_inbound()
    flow.run_jobs()
    assert flow.twilio.wait_idle(10)

    assert flow.rt.inbound.get(sid) is None  # not recorded again
    assert traces(flow.redis, "+31621000040", "31621000040") == []
    assert sms_sent_to(flow, "+31621000040") == sent  # nor answered again
    assert (result.get("erased"), result["recovered"]) == (1, 0)


def test_a_reply_twilio_holds_that_the_bridge_never_saw_stays_erased(
    flow: Flow, monkeypatch: pytest.MonkeyPatch, capsys: Capture
) -> None:
    prompted(flow, "06-21000041")
    missed = flow.twilio.inbound("+31621000041", "hoe laat?", deliver=False)  # ingress down
    assert erase(flow, monkeypatch, capsys, "--phone", "06-21000041")[0] == 0
    flow.clock.advance(timedelta(seconds=flow.settings.inbound_reconcile_interval))
    flow.ticker.tick()  # the periodic scan, as it runs in production
    flow.run_jobs()
    assert flow.twilio.wait_idle(10)
    assert flow.rt.inbound.get(missed["message"]["sid"]) is None
    assert len(sms_sent_to(flow, "+31621000041")) == 1  # the prompt only: no answer
    assert traces(flow.redis, "+31621000041", "31621000041") == []


def test_twilios_retry_of_an_erased_reply_is_not_recorded(
    flow: Flow, monkeypatch: pytest.MonkeyPatch, capsys: Capture
) -> None:
    prompted(flow, "06-21000042")
    sid = reply(flow, "+31621000042", "hoe laat?")
    assert erase(flow, monkeypatch, capsys, "--phone", "+31621000042")[0] == 0
    again = flow.twilio.deliver_inbound(sid).result(10)  # the webhook, delivered again
    assert again["webhook"]["status"] == 200
    flow.run_jobs()
    assert flow.rt.inbound.get(sid) is None
    assert traces(flow.redis, "+31621000042", "31621000042") == []


def test_a_queued_reply_job_of_an_erased_person_does_nothing(
    flow: Flow, monkeypatch: pytest.MonkeyPatch, capsys: Capture
) -> None:
    prompted(flow, "06-21000043")
    flow.twilio.inbound("+31621000043", "hoe laat?", deliver=False)
    assert replies.reconcile_inbound()["recovered"] == 1  # its job is queued, not run
    assert erase(flow, monkeypatch, capsys, "--phone", "+31621000043")[0] == 0
    flow.run_jobs()
    assert flow.twilio.wait_idle(10)
    assert len(sms_sent_to(flow, "+31621000043")) == 1  # the prompt only
    assert traces(flow.redis, "+31621000043", "31621000043") == []


def test_a_reminder_due_after_the_erasure_is_skipped_without_the_number(
    flow: Flow, monkeypatch: pytest.MonkeyPatch, capsys: Capture
) -> None:
    appointment = prompted(flow, "06-21000044")
    assert erase(flow, monkeypatch, capsys, "--phone", "06 21 00 00 44")[0] == 0
    remind(flow, appointment)  # the send job fetches the contact again
    flow.poll()  # and a poll sees the appointment, still there upstream
    assert len(sms_sent_to(flow, "+31621000044")) == 1  # the prompt, before the erasure
    skipped = [s for s in flow.skipped() if s["appointment"] == str(appointment)]
    assert {"kind": "reminder", "reason": "erased"}.items() <= skipped[-1].items()
    assert traces(flow.redis, "+31621000044", "31621000044") == []
    assert flow.failed_jobs() == []


def test_erase_by_customer_id_without_a_cached_contact(
    flow: Flow, monkeypatch: pytest.MonkeyPatch, capsys: Capture
) -> None:
    appointment = prompted(flow, "06-21000045")
    reply(flow, "+31621000045", "hoe laat?")
    customer = flow.api.get_appointment(appointment).customer_id
    assert customer is not None
    address = flow.api.get_customer(customer).email
    flow.redis.delete(keys.customer_cache(customer))  # the cache expired meanwhile

    status, out = erase(flow, monkeypatch, capsys, "--customer", str(customer))
    assert status == 0, out
    assert "logged message" in out and "inbound message" in out
    assert traces(flow.redis, "+31621000045", "31621000045", address) == []
    remind(flow, appointment)
    assert len(sms_sent_to(flow, "+31621000045")) == 2  # the prompt and the answer, before
    assert [m for m in flow.mail.messages() if address in str(m["to"])] == []
    assert traces(flow.redis, "+31621000045", "31621000045", address) == []


def test_lifted_tombstones_let_the_person_be_served_again(
    flow: Flow, monkeypatch: pytest.MonkeyPatch, capsys: Capture
) -> None:
    appointment = prompted(flow, "06-21000046")
    customer = flow.api.get_appointment(appointment).customer_id
    assert erase(flow, monkeypatch, capsys, "--customer", str(customer))[0] == 0
    status, out = erase(flow, monkeypatch, capsys, "--customer", str(customer), "--lift")
    assert status == 0 and "tombstones lifted: 3" in out  # the id, the number, the address
    remind(flow, appointment)
    assert any("Herinnering" in body for body in sms_sent_to(flow, "+31621000046"))


def test_lifting_a_number_lifts_the_customers_its_erasure_buried(
    flow: Flow, monkeypatch: pytest.MonkeyPatch, capsys: Capture
) -> None:
    # The erasure of a number also buried the customer whose cached contact carried it;
    # `--lift --phone` lifted the number only, and that customer still got nothing.
    appointment = prompted(flow, "06-21000047")  # its contact is cached by the prompt
    assert erase(flow, monkeypatch, capsys, "--phone", "+31621000047")[0] == 0
    status, out = erase(flow, monkeypatch, capsys, "--phone", "06-21000047", "--lift")
    assert status == 0, out
    remind(flow, appointment)
    assert any("Herinnering" in body for body in sms_sent_to(flow, "+31621000047"))
    assert "tombstones lifted: 2" in out  # the number and the customer
