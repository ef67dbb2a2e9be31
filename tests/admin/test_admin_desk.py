"""What the operator pages grew for a practice's desk (#17): an answer with no
appointment shows "-", not 0; a timeline never lists the same status twice in a row; a
reply that asked for the code shows as the number's pending question; the inbox of
customers' own words, masked, with a "handled" mark behind the CSRF token."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from redis import Redis

from bridge.store.conversations import Conversations
from bridge.store.inbound import InboundStore
from bridge.store.inbox import Inbox
from bridge.store.message_log import MessageLog, MessageRecord
from tests.admin.conftest import PHONE, Admin
from tests.admin.test_admin_http import csrf_of


def row_of(html: str, marker: str) -> str:
    found = re.search(r"<tr>((?:(?!</tr>).)*" + re.escape(marker) + r".*?)</tr>", html,
                      flags=re.DOTALL)
    assert found, marker
    return found.group(1)


def test_an_answer_shows_no_appointment_as_a_dash(admin: Admin, redis: Redis) -> None:
    MessageLog(redis, 3600).open(MessageRecord(
        "reply:SM1:sms", "reply:SM1", 0, "reply_no_appointment", "sms", PHONE, "sent",
        text="Geen afspraak"), datetime.now(UTC))
    admin.login()
    row = row_of(admin.http.get(f"{admin.url}/admin/messages").text, "reply_no_appointment")
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.DOTALL)
    assert cells[4] == "-"


def test_a_timeline_names_a_status_once_however_often_it_came(admin: Admin,
                                                              redis: Redis) -> None:
    log, now = MessageLog(redis, 3600), datetime.now(UTC)
    log.open(MessageRecord("7:reminder:1d:1:sms", "7:reminder:1d:1", 7, "reminder", "sms",
                           PHONE, "claimed", text="Tot morgen"), now - timedelta(minutes=20))
    for minutes in (15, 10, 5):
        log.advance("7:reminder:1d:1:sms", "retrying", now - timedelta(minutes=minutes),
                    detail="held back")
    log.advance("7:reminder:1d:1:sms", "sent", now)
    admin.login()
    row = row_of(admin.http.get(f"{admin.url}/admin/messages").text, "Tot morgen")
    steps = re.findall(r"<li>(\w+)", row)
    assert steps == ["claimed", "retrying", "sent"]
    assert "retrying ×3" in row


def test_a_wait_for_the_code_is_the_pending_question(admin: Admin, redis: Redis) -> None:
    talk = Conversations(redis, 3600)
    talk.remember(PHONE, 777, "confirm_request", datetime.now(UTC) + timedelta(days=1),
                  datetime.now(UTC))
    talk.ask_code(PHONE, 777)
    admin.login()
    html = admin.http.get(f"{admin.url}/admin/conversations").text
    assert "the confirmation code for appointment 777" in html
    assert Conversations(redis, 3600).numbers() == {PHONE}
    talk.code_given(PHONE)
    assert "the confirmation code" not in admin.http.get(f"{admin.url}/admin/conversations").text


def test_the_inbox_shows_a_customers_words_masked_and_takes_a_handled_mark(
        admin: Admin, redis: Redis) -> None:
    now = datetime.now(UTC)
    InboundStore(redis, 3600).record("SMfree1", PHONE, "+3197010000000",
                                     "Kan ik verzetten? Bel me op 0612345678", now)
    Inbox(redis, 3600).add("SMfree1", now, [501])
    admin.login()
    html = admin.http.get(f"{admin.url}/admin/inbox").text
    row = row_of(html, "Kan ik verzetten?")
    assert "0612345678" not in row and PHONE not in row and "501" in row
    assert "Mark handled" in row
    refused = admin.http.post(f"{admin.url}/admin/handled", data={"sid": "SMfree1"})
    assert refused.status_code == 403
    marked = admin.http.post(f"{admin.url}/admin/handled",
                             data={"sid": "SMfree1", "csrf": csrf_of(html)},
                             follow_redirects=True)
    assert "Marked handled." in marked.text
    assert "Mark handled</button>" not in row_of(marked.text, "Kan ik verzetten?")
    assert "handled " in row_of(marked.text, "Kan ik verzetten?")
