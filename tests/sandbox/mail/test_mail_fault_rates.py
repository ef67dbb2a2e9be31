"""Seeded SMTP faults over real SMTP: 451 at the end of DATA and dropped connections,
neither message kept, reproducible from a seed, and set through `/_sandbox/faults`."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator

import httpx
import pytest

from sandbox.booking import DEMO_API_KEY, DEMO_API_SECRET, BookingSandbox
from sandbox.faults import SandboxFaults
from sandbox.mail import MailFaultRates, MailSink
from sandbox.server import SandboxServer

RAW = "Subject: herinnering\r\nFrom: a@example.nl\r\nTo: b@example.nl\r\n\r\nTot morgen\r\n"


@pytest.fixture(scope="module")
def _sink() -> Iterator[MailSink]:
    with MailSink() as running:
        yield running


@pytest.fixture
def sink(_sink: MailSink) -> MailSink:
    _sink.clear()
    _sink.faults.temporary_failures_next = 0
    _sink.fault_rates.reset()
    return _sink


def send(sink: MailSink) -> str:
    """One message over a fresh connection: "kept", "451" or "dropped"."""
    try:
        with smtplib.SMTP(sink.host, sink.port, "localhost", timeout=5) as smtp:
            smtp.sendmail("a@example.nl", ["b@example.nl"], RAW)
    except smtplib.SMTPDataError as exc:
        assert exc.smtp_code == 451 and b"4.3.0" in exc.smtp_error
        return "451"
    except smtplib.SMTPServerDisconnected:
        return "dropped"
    return "kept"


def test_off_by_default(sink: MailSink) -> None:
    assert sink.fault_rates.to_json() == {
        "temporary_failure_rate": 0.0, "drop_rate": 0.0, "seed": 0, "injected": {}}
    assert [send(sink) for _ in range(3)] == ["kept"] * 3
    assert len(sink.messages()) == 3


def test_temporary_failures_are_451_and_not_kept(sink: MailSink) -> None:
    sink.fault_rates.update_from_json({"temporary_failure_rate": 1})
    assert send(sink) == "451"
    assert sink.messages() == []
    assert sink.fault_rates.to_json()["injected"] == {"temporary_failure": 1}


def test_a_dropped_connection_loses_the_message_and_the_sink_goes_on(sink: MailSink) -> None:
    sink.fault_rates.update_from_json({"drop_rate": 1})
    with smtplib.SMTP(sink.host, sink.port, "localhost", timeout=5) as smtp:
        smtp.ehlo()
        smtp.mail("a@example.nl")
        smtp.rcpt("b@example.nl")
        with pytest.raises(smtplib.SMTPServerDisconnected):
            smtp.data(RAW)  # the whole message went; the answer never comes
    assert sink.messages() == []
    sink.fault_rates.update_from_json({"drop_rate": 0})
    assert send(sink) == "kept"
    assert sink.fault_rates.to_json()["injected"] == {"drop": 1}


def test_the_same_seed_gives_the_same_outcomes(sink: MailSink) -> None:
    def run() -> list[str]:
        sink.fault_rates.update_from_json(
            {"seed": 4, "temporary_failure_rate": 0.3, "drop_rate": 0.3})
        return [send(sink) for _ in range(15)]

    first = run()
    assert run() == first
    assert set(first) == {"kept", "451", "dropped"}
    assert len(sink.messages()) == 2 * first.count("kept")


def test_the_queue_comes_first_and_counts(sink: MailSink) -> None:
    sink.faults.temporary_failures_next = 1
    sink.fault_rates.update_from_json({"drop_rate": 1})
    assert [send(sink), send(sink)] == ["451", "dropped"]
    assert sink.fault_rates.to_json()["injected"] == {"temporary_failure": 1, "drop": 1}


def test_decisions_alone_are_seeded() -> None:
    def kinds(seed: int) -> list[str | None]:
        rates = MailFaultRates(temporary_failure_rate=0.2, drop_rate=0.2, seed=seed)
        return [rates.decide() for _ in range(100)]

    assert kinds(1) == kinds(1) != kinds(2)
    assert MailFaultRates().decide() is None


def test_set_through_the_sandbox_endpoint(sink: MailSink) -> None:
    booking = BookingSandbox(DEMO_API_KEY, DEMO_API_SECRET)
    faults = SandboxFaults(mail=sink.fault_rates)
    try:
        with SandboxServer(booking, extra_routes=sink.routes(), faults=faults) as server:
            url = f"{server.base_url}/_sandbox/faults"
            answer = httpx.put(url, json={"mail": {"drop_rate": 1}})
            assert answer.status_code == 200 and "twilio" not in answer.json()
            assert send(sink) == "dropped"
            assert httpx.get(url).json()["mail"]["injected"] == {"drop": 1}
            # the next-N queue keeps its own endpoint and shape
            queue = httpx.get(f"{server.base_url}/_sandbox/mail/faults").json()
            assert queue == {"temporary_failures_next": 0}
    finally:
        booking.close()
