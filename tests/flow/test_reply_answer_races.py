"""A reply's answer when two attempts meet, or one died: still exactly one answer.

Found by the chaos soak: an attempt that found the answer's claim held by another
("busy") marked the reply handled; when the holder then met a 429 or 5xx and released
the claim, its retry found the reply handled and the customer never got an answer.
And the inbound reconciliation queued a reply whose job only waited for its retry,
so two attempts ran at once.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from rq import Queue
from rq.serializers import JSONSerializer

from bridge.outbound.errors import TransientSendError
from bridge.replies.reconcile import STUCK_SECONDS
from bridge.store import keys
from bridge.store.claims import STALE_SECONDS
from tests.flow.conftest import Flow
from tests.flow.test_replies import answers, code_of, prompted, reply, started
from workers import deliver, replies


def test_an_answer_another_attempt_is_sending_is_retried_not_given_up(flow: Flow) -> None:
    started(flow)
    prompted(flow, "06-21000030")
    sid = flow.twilio.inbound("+31621000030", "hoe laat?", deliver=False)["message"]["sid"]
    replies.reconcile_inbound()  # recorded; its job is queued
    holder = flow.rt.claims.claim(f"reply:{sid}:sms", flow.clock.now())  # another attempt

    with pytest.raises(TransientSendError):
        replies.handle_reply(sid)
    assert flow.rt.inbound.get(sid).state == "received"  # type: ignore[union-attr]

    flow.rt.claims.release(f"reply:{sid}:sms")  # the holder met a 429: nothing was sent
    assert holder is not None
    replies.handle_reply(sid)  # the retry
    replies.handle_reply(sid)  # and the job the reconciliation queued
    assert flow.twilio.wait_idle(10)
    assert answers(flow, "+31621000030") == ["reply_help"]


def test_an_answer_whose_attempt_died_mid_send_is_settled_by_asking_twilio(flow: Flow) -> None:
    started(flow)
    prompted(flow, "06-21000031")
    sid = flow.twilio.inbound("+31621000031", "hoe laat?", deliver=False)["message"]["sid"]
    replies.reconcile_inbound()
    flow.rt.claims.claim(f"reply:{sid}:sms", flow.clock.now())  # it died before Twilio
    flow.clock.advance(timedelta(seconds=STALE_SECONDS + 1))

    replies.handle_reply(sid)
    replies.handle_reply(sid)
    assert flow.twilio.wait_idle(10)
    assert answers(flow, "+31621000031") == ["reply_help"]
    sent = [m for m in flow.twilio.messages("outbound-api") if m["to"] == "+31621000031"]
    assert sum("U kunt antwoorden" in m["body"] for m in sent) == 1


def test_the_reconciliation_does_not_queue_a_reply_whose_job_is_waiting(flow: Flow) -> None:
    started(flow)
    prompted(flow, "06-21000032")
    sid = flow.twilio.inbound("+31621000032", "hoe laat?", deliver=False)["message"]["sid"]
    replies.reconcile_inbound()
    flow.clock.advance(timedelta(seconds=STUCK_SECONDS + 1))  # long "received"
    replies.reconcile_inbound()
    queue = Queue("replies", connection=flow.redis, serializer=JSONSerializer)
    assert queue.job_ids.count(f"reply-{sid}") == 1
    flow.run_jobs()
    assert answers(flow, "+31621000032") == ["reply_help"]


def test_a_prompt_whose_worker_died_after_sending_still_opens_the_conversation(
    flow: Flow,
) -> None:
    # Found in review of the soak: a worker killed between the provider call and the
    # conversation record left a prompt the customer could not answer ("no appointment").
    started(flow)
    appointment = prompted(flow, "06-21000033")
    flow.redis.delete(keys.conversation("+31621000033"))  # the step the dead worker missed
    prompt = next(r for r in flow.rt.messages.recent(50)
                  if r.recipient == "+31621000033" and r.kind == "confirm_request")
    deliver.deliver_message(prompt.message_key)  # the dead worker's job, run again
    assert flow.twilio.wait_idle(10)
    reply(flow, "+31621000033", code_of(flow, appointment))
    assert answers(flow, "+31621000033") == ["reply_confirmed"]
    assert sum(r.kind == "confirm_request" for r in flow.rt.messages.recent(50)
               if r.recipient == "+31621000033") == 1


def test_an_inbound_scan_twilio_refuses_waits_for_the_next_one(flow: Flow) -> None:
    # Found by the full soak: three Twilio 503s left a periodic scan in the failed
    # registry, which is for permanent errors; the next scan is its retry.
    started(flow)
    flow.twilio.fault_rates.update_from_json({"error_rate": 1.0, "seed": 1})
    result = replies.reconcile_inbound()
    assert result["checked"] == 0 and result["postponed"]
    assert not flow.redis.exists(keys.INBOUND_RECONCILE_QUEUED)  # the next tick queues one
