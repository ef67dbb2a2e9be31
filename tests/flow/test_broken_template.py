"""One broken operator template among good ones: its message is recorded as failed,
naming the template and the problem, and every other message of the batch goes out.

The operator's folder overrides the Dutch prompt (fine) and the English one, which
uses a name the templates do not have. Three customers book; their prompts go out in
one send batch. The two Dutch ones are sent with the operator's text; the English one
is in the message log as `failed` with the template's error, nothing was sent to that
customer, the batch job finished, and nothing waits to retry a template that would
fail the same way again.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rq.job import Job
from rq.registry import FinishedJobRegistry, ScheduledJobRegistry
from rq.serializers import JSONSerializer

from bridge.queueing.jobs import QueueName
from tests.flow.conftest import Flow
from tests.flow.test_replies import reply, started
from tests.flow.test_sending import booked, settle, to

MakeFlow = Callable[..., Flow]

GOOD = ("{{ practice.name }}: eigen tekst. Komt u op {{ appointment.start|date_long }}? "
        "Antwoord JA of NEE.")
BROKEN = "{{ practice.name }}: please confirm, {{ nickname }}."


def operator_templates(folder: Path, templates: dict[str, str] | None = None) -> Path:
    chosen = templates or {"nl/confirm_request.sms.j2": GOOD,
                           "en/confirm_request.sms.j2": BROKEN}
    for name, text in chosen.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


def test_the_broken_template_fails_its_message_and_the_batch_sends_the_others(
    make_flow: MakeFlow, tmp_path: Path
) -> None:
    flow = make_flow(OABRIDGE_TEMPLATES_DIR=str(operator_templates(tmp_path / "templates")))
    flow.ticker.tick()
    flow.run_jobs()
    dutch = [booked(flow, index=0, mobile_phone="06-31000001"),
             booked(flow, index=1, mobile_phone="06-31000002")]
    english = booked(flow, index=2, mobile_phone="06-31000003",
                     extra_fields={"Taal": "en"})  # type: ignore[arg-type]
    settle(flow)

    for number in ("+31631000001", "+31631000002"):
        [sms] = to(flow, number)
        assert "eigen tekst" in str(sms["body"])
    assert to(flow, "+31631000003") == []

    records = {r.appointment_id: r for r in flow.rt.messages.recent(100)
               if r.kind == "confirm_request"}
    assert {records[a].status for a in dutch} == {"delivered"}
    failed = records[english]
    assert failed.status == "failed" and not failed.provider_id and not failed.text
    assert [entry["status"] for entry in failed.timeline] == ["claimed", "failed"]
    detail = str(failed.timeline[-1]["detail"])
    assert "en/confirm_request.sms.j2" in detail and "'nickname' is undefined" in detail

    send = flow.rt.writer.queue(QueueName.SEND)
    batches = [Job.fetch(i, connection=flow.redis, serializer=JSONSerializer)
               for i in FinishedJobRegistry(queue=send).get_job_ids()]
    results = [b.return_value() for b in batches if b.func_name.endswith("deliver_batch")]
    assert {"messages": 3, "retrying": 0, "held": 0, "outcomes": {"sent": 2, "failed": 1},
            "errors": {}} in results
    assert flow.failed_jobs() == []
    assert ScheduledJobRegistry(queue=send).get_job_ids() == []

    flow.ticker.tick()
    flow.run_jobs()  # nothing is tried again: the same template would fail the same way
    assert to(flow, "+31631000003") == []
    again = flow.rt.messages.get(failed.message_id)
    assert again is not None and [e["status"] for e in again.timeline] == ["claimed", "failed"]


def test_a_broken_answer_template_fails_the_answer_and_the_reply_is_handled(
    make_flow: MakeFlow, tmp_path: Path
) -> None:
    folder = operator_templates(tmp_path / "templates", {
        "nl/reply_no_appointment.sms.j2": "{{ practice.name }}: geen afspraak {{ nickname }}",
    })
    flow = started(make_flow(OABRIDGE_TEMPLATES_DIR=str(folder)))
    sid = reply(flow, "+31631000009", "JA")  # no appointment to confirm
    answer = flow.rt.messages.get(f"reply:{sid}:sms")
    assert answer is not None and answer.kind == "reply_no_appointment"
    assert answer.status == "failed" and not answer.provider_id
    detail = str(answer.timeline[-1]["detail"])
    assert "nl/reply_no_appointment.sms.j2" in detail and "'nickname' is undefined" in detail
    assert to(flow, "+31631000009") == []  # nothing sent, and not tried again
    assert flow.failed_jobs() == []
