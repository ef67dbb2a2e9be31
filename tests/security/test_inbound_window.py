"""Issue #15, finding 1: the inbound reconciliation read Twilio's newest 200 messages with
no date bound, so on an emptied Redis old senders were answered again (twice, then
twice more). Now it reads a bounded window: since its watermark less an overlap, the
last two intervals without one, never beyond the retention. Real HTTP, Redis, workers.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from bridge.replies import reconcile
from bridge.store import keys
from tests.flow.conftest import Flow, make_flow  # noqa: F401  (the fixture)
from tests.flow.test_replies import answers, prompted, reply, started
from tests.security.erasing import lose_everything, sms_sent_to
from workers import replies

pytestmark = pytest.mark.slow

MakeFlow = Callable[..., Flow]
#: `bridge.store.inbound_window`'s overlap and first window, as documented (written out
#: here so that this test runs, and fails, on the code before the window existed).
OVERLAP_SECONDS = 120
FIRST_WINDOW_INTERVALS = 2


@pytest.fixture
def flow(make_flow: MakeFlow) -> Flow:  # noqa: F811
    return started(make_flow())


def scan(flow: Flow) -> dict[str, int]:
    result = replies.reconcile_inbound()
    flow.run_jobs()
    assert flow.twilio.wait_idle(10)
    return result


def test_an_emptied_redis_does_not_answer_old_replies_again(flow: Flow) -> None:
    prompted(flow, "06-21000050")
    prompted(flow, "06-21000051", index=2)
    for number in ("+31621000050", "+31621000051"):
        reply(flow, number, "hoe laat?")
        assert answers(flow, number) == ["reply_help"]
    before = {n: sms_sent_to(flow, n) for n in ("+31621000050", "+31621000051")}

    interval = flow.settings.inbound_reconcile_interval
    flow.clock.advance(timedelta(seconds=FIRST_WINDOW_INTERVALS * interval + 1))
    lose_everything(flow.redis)
    for _ in range(2):  # twice, as the issue saw it
        scan(flow)
        flow.clock.advance(timedelta(seconds=interval))

    assert {n: sms_sent_to(flow, n) for n in before} == before  # no help text again
    assert flow.redis.zcard(keys.INBOUND) == 0  # nor recorded


def test_an_emptied_redis_still_recovers_a_reply_within_the_first_window(flow: Flow) -> None:
    prompted(flow, "06-21000052")
    flow.clock.advance(timedelta(days=1))
    flow.twilio.inbound("+31621000052", "hoe laat?", deliver=False)  # ingress down
    flow.clock.advance(timedelta(seconds=flow.settings.inbound_reconcile_interval))
    lose_everything(flow.redis)
    assert scan(flow)["recovered"] == 1
    assert answers(flow, "+31621000052") == ["reply_help"]


def test_a_message_older_than_the_watermark_is_never_handled(flow: Flow) -> None:
    prompted(flow, "06-21000053")
    scan(flow)  # the watermark: now
    now = flow.clock.now()
    flow.clock.set(now - timedelta(seconds=OVERLAP_SECONDS + 60))  # Twilio lists it late
    late = flow.twilio.inbound("+31621000053", "hoe laat?", deliver=False)
    flow.clock.set(now + timedelta(seconds=flow.settings.inbound_reconcile_interval))
    result = scan(flow)
    assert flow.rt.inbound.get(late["message"]["sid"]) is None
    assert answers(flow, "+31621000053") == []
    assert result["recovered"] == 0


def test_a_message_within_the_overlap_is_found(flow: Flow) -> None:
    prompted(flow, "06-21000054")
    scan(flow)
    now = flow.clock.now()
    flow.clock.set(now - timedelta(seconds=OVERLAP_SECONDS - 30))  # stamped just before
    flow.twilio.inbound("+31621000054", "hoe laat?", deliver=False)
    flow.clock.set(now + timedelta(seconds=flow.settings.inbound_reconcile_interval))
    assert scan(flow)["recovered"] == 1
    assert answers(flow, "+31621000054") == ["reply_help"]


def test_never_beyond_the_retention(make_flow: MakeFlow) -> None:  # noqa: F811
    flow = started(make_flow(OABRIDGE_RETENTION_DAYS="1"))
    prompted(flow, "06-21000055", days=3)
    scan(flow)
    flow.twilio.inbound("+31621000055", "hoe laat?", deliver=False)
    flow.clock.advance(timedelta(days=1, seconds=1))  # no scan ran for a day and more
    assert scan(flow)["recovered"] == 0
    assert answers(flow, "+31621000055") == []


def test_a_window_busier_than_a_page_is_read_whole(
    flow: Flow, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Twilio lists newest first: a scan cut at its limit never saw the window's oldest
    # messages, and its watermark never moved. Small pages here, paged over HTTP.
    monkeypatch.setattr(reconcile, "PAGE_SIZE", 2, raising=False)
    monkeypatch.setattr(reconcile, "SCAN_LIMIT", 2, raising=False)  # the limit's old name
    began = flow.clock.now()
    missed = [flow.twilio.inbound(f"+3162100008{i}", "hoe laat?", deliver=False)
              for i in range(5)]
    result = scan(flow)
    assert result["recovered"] == 5
    assert all(flow.rt.inbound.get(m["message"]["sid"]) for m in missed)
    assert flow.rt.replies.inbound_window.watermark() == int(began.timestamp())


def test_a_watermark_from_a_clock_running_ahead_passes_nothing_over(flow: Flow) -> None:
    prompted(flow, "06-21000056")
    now = flow.clock.now()
    flow.clock.set(now + timedelta(hours=1))  # a worker whose clock runs an hour ahead
    scan(flow)
    flow.clock.set(now + timedelta(seconds=30))  # the others' clocks
    flow.twilio.inbound("+31621000056", "hoe laat?", deliver=False)  # ingress down
    flow.clock.advance(timedelta(seconds=flow.settings.inbound_reconcile_interval))
    assert scan(flow)["recovered"] == 1
    assert answers(flow, "+31621000056") == ["reply_help"]
