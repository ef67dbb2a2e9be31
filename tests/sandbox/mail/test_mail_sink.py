"""The SMTP sink with Python's own `smtplib` as the client, and its HTTP listing."""

from __future__ import annotations

import smtplib
import socket
from collections.abc import Iterator
from email.message import EmailMessage
from email.utils import make_msgid

import httpx
import pytest

from sandbox.booking import DEMO_API_KEY, DEMO_API_SECRET, BookingSandbox
from sandbox.mail import MailSink
from sandbox.server import SandboxServer

SUBJECT = "Herinnering: uw afspraak bij Fysiotherapie De Linde — morgen 10:00"
TEXT = "Beste Zoë,\n\nTot morgen om 10:00. Afzeggen kost €25.\n"
HTML = "<p>Beste Zoë,</p><p>Tot morgen om 10:00. Afzeggen kost &euro;25.</p>"


@pytest.fixture(scope="module")
def _sink() -> Iterator[MailSink]:
    with MailSink() as running:
        yield running


@pytest.fixture
def sink(_sink: MailSink) -> MailSink:
    _sink.clear()
    _sink.faults.temporary_failures_next = 0
    return _sink


def reminder(to: str = "zoe@example.nl") -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = SUBJECT
    message["From"] = "Fysiotherapie De Linde <afspraken@delinde.example>"
    message["To"] = to
    message["Message-ID"] = make_msgid(domain="delinde.example")
    message.set_content(TEXT)
    message.add_alternative(HTML, subtype="html")
    return message


def test_plain_smtp(sink: MailSink) -> None:
    raw = "Subject: hello\r\nFrom: a@example.nl\r\nTo: b@example.nl\r\n\r\nplain text\r\n"
    with smtplib.SMTP(sink.host, sink.port) as smtp:
        refused = smtp.sendmail("bounce@example.nl", ["b@example.nl", "bcc@example.nl"], raw)
    assert refused == {}
    [kept] = sink.messages()
    assert kept["envelope_from"] == "bounce@example.nl"
    assert kept["envelope_to"] == ["b@example.nl", "bcc@example.nl"]
    assert (kept["subject"], kept["to"], kept["text"], kept["html"]) == (
        "hello",
        "b@example.nl",
        "plain text\r\n",
        None,
    )
    assert kept["auth_user"] is None and kept["peer"] == "127.0.0.1"
    assert kept["raw_size"] == len(raw.encode())
    assert ["Subject", "hello"] in kept["headers"]


def test_auth_with_any_credentials_and_no_tls(sink: MailSink) -> None:
    with smtplib.SMTP(sink.host, sink.port) as smtp:
        smtp.ehlo()
        assert set(smtp.esmtp_features["auth"].upper().split()) == {"LOGIN", "PLAIN"}
        assert not smtp.has_extn("starttls")
        code, _ = smtp.login("praktijk@delinde.example", "whatever")
        assert code == 235
        smtp.send_message(reminder())
    assert sink.messages()[0]["auth_user"] == "praktijk@delinde.example"


@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN"])
def test_both_auth_mechanisms(sink: MailSink, mechanism: str) -> None:
    with smtplib.SMTP(sink.host, sink.port) as smtp:
        smtp.ehlo()
        smtp.user, smtp.password = "u", "p"
        authobject = smtp.auth_plain if mechanism == "PLAIN" else smtp.auth_login
        assert smtp.auth(mechanism, authobject, initial_response_ok=False)[0] == 235


def test_multipart_with_non_ascii_subject_and_body(sink: MailSink) -> None:
    message = reminder()
    with smtplib.SMTP(sink.host, sink.port) as smtp:
        smtp.send_message(message)
    [kept] = sink.messages()
    assert kept["subject"] == SUBJECT
    assert kept["content_type"] == "multipart/alternative"
    assert kept["text"].replace("\r\n", "\n") == TEXT
    assert kept["html"].strip() == HTML
    assert kept["message_id"] == message["Message-ID"]
    assert kept["from"] == "Fysiotherapie De Linde <afspraken@delinde.example>"
    assert kept["attachments"] == []


def test_utf8_addresses(sink: MailSink) -> None:
    with smtplib.SMTP(sink.host, sink.port) as smtp:
        smtp.send_message(reminder(to="zoë@example.nl"))  # smtplib switches to SMTPUTF8
    assert sink.messages()[0]["envelope_to"] == ["zoë@example.nl"]


def test_attachments_are_described(sink: MailSink) -> None:
    message = reminder()
    message.add_attachment(b"BEGIN:VCALENDAR", maintype="text", subtype="calendar",
                           filename="afspraak.ics")  # fmt: skip
    with smtplib.SMTP(sink.host, sink.port) as smtp:
        smtp.send_message(message)
    assert sink.messages()[0]["attachments"] == [
        {"filename": "afspraak.ics", "content_type": "text/calendar", "size": 15}
    ]


def test_temporary_failures(sink: MailSink) -> None:
    sink.faults.temporary_failures_next = 2
    with smtplib.SMTP(sink.host, sink.port) as smtp:
        for _ in range(2):
            with pytest.raises(smtplib.SMTPDataError) as excinfo:
                smtp.send_message(reminder())
            assert excinfo.value.smtp_code == 451
        smtp.send_message(reminder())
    assert len(sink.messages()) == 1
    assert sink.faults.temporary_failures_next == 0


def test_fault_values_are_checked(sink: MailSink) -> None:
    with pytest.raises(ValueError):
        sink.faults.temporary_failures_next = -1
    with pytest.raises(ValueError):
        sink.faults.update_from_json({"temporary_failures_next": 1.5})
    with pytest.raises(ValueError):
        sink.faults.update_from_json({"drop_connection": True})


def test_clear_and_wait(sink: MailSink) -> None:
    with smtplib.SMTP(sink.host, sink.port) as smtp:
        smtp.send_message(reminder())
    assert len(sink.wait_for_messages(1, timeout=1.0)) == 1
    sink.clear()
    assert sink.messages() == []
    with pytest.raises(TimeoutError):
        sink.wait_for_messages(1, timeout=0.01)


def test_a_taken_port_is_an_error(sink: MailSink) -> None:
    assert sink.port > 0
    with pytest.raises(OSError), MailSink(port=sink.port):
        pass
    with socket.create_connection((sink.host, sink.port), timeout=1) as still_up:
        assert still_up.recv(3) == b"220"


def test_http_listing_and_faults(sink: MailSink) -> None:
    booking = BookingSandbox(DEMO_API_KEY, DEMO_API_SECRET)
    with (
        SandboxServer(booking, extra_routes=sink.routes()) as server,
        httpx.Client(base_url=server.base_url, trust_env=False) as http,
    ):
        with smtplib.SMTP(sink.host, sink.port) as smtp:
            smtp.send_message(reminder())
        [listed] = http.get("/_sandbox/mail").json()
        assert listed["subject"] == SUBJECT and listed["text"].startswith("Beste Zoë")
        assert http.put("/_sandbox/mail/faults", json={"temporary_failures_next": 1}).json() == {
            "temporary_failures_next": 1
        }
        with smtplib.SMTP(sink.host, sink.port) as smtp, pytest.raises(smtplib.SMTPDataError):
            smtp.send_message(reminder())
        assert http.get("/_sandbox/mail/faults").json() == {"temporary_failures_next": 0}
        assert http.put("/_sandbox/mail/faults", json={"x": 1}).status_code == 400
        assert http.put("/_sandbox/mail/faults", content=b"{").status_code == 400
        assert http.delete("/_sandbox/mail").json() == []
        assert http.get("/_sandbox/mail").json() == []
    booking.close()
