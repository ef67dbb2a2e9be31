"""Issue #15, finding 1: an erasure that overtakes a writer. A send checked the
tombstones, `oabridge erase` ran, and the send then wrote the message log's record (with
the number) and a conversation, which lived on for the retention; the ingress checked,
the erasure ran, the ingress recorded the reply and counted it (a key named by the
number), and a rate-limited reply is never handled, so nothing forgot what was kept of
it. Each writer now checks again after its last write. The
interleaving is forced: the erasure's store steps run between the writer's check and
its write (a reply job too: its answer). Real HTTP (sandboxes, ingress), Redis, workers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bridge.replies import handling
from bridge.sending import delivery
from bridge.store import keys
from bridge.store.erasure import Erasure
from bridge.store.inbound import InboundStore
from bridge.store.reply_rate import REPLIES_PER_WINDOW
from tests.flow.conftest import Flow, make_flow  # noqa: F401  (the fixture)
from tests.flow.test_replies import prompted, reply, started
from tests.security.erasing import sms_sent_to, traces
from tests.security.test_erasure_holds import remind
from workers import replies

pytestmark = pytest.mark.slow

MakeFlow = Callable[..., Flow]


@pytest.fixture
def flow(make_flow: MakeFlow) -> Flow:  # noqa: F811
    return started(make_flow())


def erased_before(flow: Flow, monkeypatch: pytest.MonkeyPatch, step: str, number: str) -> None:
    """The next call of `InboundStore.<step>` runs just after the erasure of `number`:
    the writer checked the tombstones before."""
    original = getattr(InboundStore, step)
    erasure = Erasure(flow.redis, flow.rt.tombstones)

    def erased_first(store: InboundStore, *args: Any) -> Any:
        erasure.erase_phone(number)
        monkeypatch.setattr(InboundStore, step, original)  # once
        return original(store, *args)

    monkeypatch.setattr(InboundStore, step, erased_first)


def test_a_send_the_erasure_overtakes_leaves_no_record(
    flow: Flow, monkeypatch: pytest.MonkeyPatch
) -> None:
    appointment = prompted(flow, "06-21000070")
    checked = delivery.contact_to_send_to
    erasure = Erasure(flow.redis, flow.rt.tombstones)

    def then_erased(sv: Any, customer_id: int | None) -> Any:
        found = checked(sv, customer_id)
        erasure.erase_phone("+31621000070")  # after the check, before the record
        return found

    monkeypatch.setattr(delivery, "contact_to_send_to", then_erased)
    remind(flow, appointment)
    assert len(sms_sent_to(flow, "+31621000070")) == 2  # under way: it cannot be stopped
    assert traces(flow.redis, "+31621000070", "31621000070") == []  # nor kept


def test_a_reply_the_erasure_overtakes_at_the_ingress_is_not_kept(
    flow: Flow, monkeypatch: pytest.MonkeyPatch
) -> None:
    prompted(flow, "06-21000071")
    erased_before(flow, monkeypatch, "record", "+31621000071")
    late = flow.twilio.inbound("+31621000071", "hoe laat?")
    assert late["webhook"]["status"] == 200
    assert flow.rt.inbound.get(str(late["message"]["sid"])) is None  # not left to its job
    assert traces(flow.redis, "+31621000071", "31621000071") == []  # nor its rate counter
    flow.run_jobs()
    assert flow.twilio.wait_idle(10)
    assert len(sms_sent_to(flow, "+31621000071")) == 1  # the prompt only


def test_a_rate_limited_reply_the_erasure_overtakes_is_not_kept(
    flow: Flow, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A rate-limited reply is never handled, so no job would ever drop what is kept of it.
    prompted(flow, "06-21000075")
    for _ in range(REPLIES_PER_WINDOW):
        assert flow.twilio.inbound("+31621000075", "hoe laat?")["webhook"]["status"] == 200
    erased_before(flow, monkeypatch, "finish", "+31621000075")  # marked rate-limited
    over = flow.twilio.inbound("+31621000075", "hoe laat?")
    assert over["webhook"]["status"] == 200
    flow.run_jobs()
    assert flow.twilio.wait_idle(10)
    assert not flow.redis.exists(keys.inbound(str(over["message"]["sid"])))
    assert traces(flow.redis, "+31621000075", "31621000075") == []
    assert len(sms_sent_to(flow, "+31621000075")) == 1  # the prompt only


def test_a_missed_reply_the_erasure_overtakes_in_a_scan_is_not_kept(
    flow: Flow, monkeypatch: pytest.MonkeyPatch
) -> None:
    prompted(flow, "06-21000072")
    missed = flow.twilio.inbound("+31621000072", "hoe laat?", deliver=False)
    erased_before(flow, monkeypatch, "record", "+31621000072")
    result = replies.reconcile_inbound()
    assert flow.rt.inbound.get(str(missed["message"]["sid"])) is None  # not even queued
    assert traces(flow.redis, "+31621000072", "31621000072") == []
    assert (result["recovered"], result.get("erased")) == (0, 1)


def test_a_reply_the_erasure_overtakes_while_it_is_handled_leaves_no_answer(
    flow: Flow, monkeypatch: pytest.MonkeyPatch
) -> None:
    prompted(flow, "06-21000076")
    chosen = handling.language_of
    erasure = Erasure(flow.redis, flow.rt.tombstones)

    def then_erased(sv: Any, answer: Any) -> str:
        erasure.erase_phone("+31621000076")  # after the job's check, before its answer
        return chosen(sv, answer)

    monkeypatch.setattr(handling, "language_of", then_erased)
    sid = reply(flow, "+31621000076", "hoe laat?")
    assert len(sms_sent_to(flow, "+31621000076")) == 2  # under way: it cannot be stopped
    assert not flow.redis.exists(keys.inbound(sid))
    assert traces(flow.redis, "+31621000076", "31621000076") == []  # nor its record kept
