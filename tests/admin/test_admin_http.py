"""The operator page over plain HTTP: off without a token, the login, the session
cookie, CSRF on the retry button, masking on every page, and broken templates."""

from __future__ import annotations

import re
import secrets
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
from redis import Redis
from rq import Queue
from rq.registry import FailedJobRegistry
from rq.serializers import JSONSerializer

from bridge.admin import auth
from bridge.store.message_log import MessageLog, MessageRecord
from tests.admin.conftest import (
    ADMIN_TOKEN,
    EMAIL,
    FAILING_JOB,
    OTHER_PHONE,
    PHONE,
    Admin,
    StartAdmin,
)

PAGES = ("", "messages", "conversations", "inbox", "upcoming", "failed", "templates")


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def failed_ids(redis: Redis) -> list[str]:
    queue = Queue("sync", connection=redis, serializer=JSONSerializer)
    return FailedJobRegistry(queue=queue).get_job_ids()


def test_the_page_is_off_without_a_token(start_admin: StartAdmin) -> None:
    admin = start_admin(OABRIDGE_ADMIN_TOKEN="")
    for path in ("/admin/", "/admin/login", "/admin/messages", "/admin/failed"):
        assert admin.http.get(admin.url + path).status_code == 404, path
    assert admin.http.post(f"{admin.url}/admin/login", data={"token": ""}).status_code == 404
    assert admin.http.post(f"{admin.url}/admin/retry", data={}).status_code == 404
    assert admin.http.get(f"{admin.url}/healthz").status_code == 200  # the ingress is up


def test_pages_send_a_visitor_to_the_login(admin: Admin) -> None:
    bare = admin.http.get(f"{admin.url}/admin", follow_redirects=True)
    assert bare.url.path == "/admin/login" and bare.url.params["next"] == ""
    assert 'type="password" name="token"' in bare.text
    for name in PAGES[1:]:
        answer = admin.http.get(f"{admin.url}/admin/{name}")
        assert answer.status_code == 303
        assert answer.headers["location"] == f"./login?next={name}"


def test_a_wrong_token_is_refused_and_sets_no_cookie(admin: Admin) -> None:
    answer = admin.http.post(f"{admin.url}/admin/login",
                             data={"token": ADMIN_TOKEN + "x", "next": "messages"})
    assert answer.status_code == 401
    assert "not the admin token" in answer.text
    assert "set-cookie" not in answer.headers
    assert admin.http.get(f"{admin.url}/admin/messages").status_code == 303


def test_login_sets_a_strict_httponly_cookie_without_the_token(admin: Admin) -> None:
    answer = admin.http.post(f"{admin.url}/admin/login",
                             data={"token": ADMIN_TOKEN, "next": "messages"})
    assert answer.status_code == 303 and answer.headers["location"] == "./messages"
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"{auth.COOKIE}=")
    for part in ("HttpOnly", "SameSite=strict", "Path=/admin", f"Max-Age={auth.SESSION_SECONDS}"):
        assert part.lower() in cookie.lower(), part
    value = admin.http.cookies[auth.COOKIE]
    assert ADMIN_TOKEN not in value and re.fullmatch(r"[A-Za-z0-9_-]{43}", value)  # random
    page = admin.http.get(f"{admin.url}/admin/messages")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert "default-src 'none'" in page.headers["content-security-policy"]


def test_login_redirects_only_to_its_own_pages(admin: Admin) -> None:
    answer = admin.http.post(f"{admin.url}/admin/login",
                             data={"token": ADMIN_TOKEN, "next": "//evil.example/x"})
    assert answer.headers["location"] == "./"


def test_a_forged_cookie_does_not_open_the_page(admin: Admin) -> None:
    never_issued = secrets.token_urlsafe(32)
    signed_before = f"{int(time.time())}.{'0' * 64}"  # the shape of an earlier release's
    for value in (never_issued, signed_before, ADMIN_TOKEN):
        with httpx.Client(cookies={auth.COOKIE: value}) as http:
            assert http.get(f"{admin.url}/admin/messages").status_code == 303
            refused = http.post(f"{admin.url}/admin/retry", data={"job_id": "x"})
            assert refused.status_code == 401  # a change is refused, not redirected


def test_retry_needs_this_sessions_csrf_token(seeded: Admin, redis: Redis) -> None:
    admin = seeded
    admin.login()
    page = admin.http.get(f"{admin.url}/admin/failed").text
    assert FAILING_JOB in page and "BookingTransportError" in page
    other_session = secrets.token_urlsafe(32)
    for csrf in ("", "0" * 64, auth.csrf_token(admin.settings, other_session)):
        refused = admin.http.post(f"{admin.url}/admin/retry",
                                  data={"csrf": csrf, "queue": "sync", "job_id": FAILING_JOB})
        assert refused.status_code == 403
        assert failed_ids(redis) == [FAILING_JOB]
    form = {"csrf": csrf_of(page), "queue": "sync", "job_id": FAILING_JOB}
    done = admin.http.post(f"{admin.url}/admin/retry", data=form)
    assert done.status_code == 303
    assert done.headers["location"] == f"./failed?requeued={FAILING_JOB}"
    assert failed_ids(redis) == []
    assert FAILING_JOB in Queue("sync", connection=redis, serializer=JSONSerializer).job_ids
    again = admin.http.post(f"{admin.url}/admin/retry", data=form, follow_redirects=True)
    assert "is not among the failed jobs" in again.text


def test_no_page_shows_a_number_or_address_in_full(seeded: Admin) -> None:
    admin = seeded
    admin.login()
    for name in PAGES:
        html = admin.http.get(f"{admin.url}/admin/{name}").text
        for secret in (PHONE, OTHER_PHONE, EMAIL, "0611112222", "06-11112222", ADMIN_TOKEN):
            assert secret not in html, (name, secret)
        assert not re.search(r"\+31\d{9}", html), name
    messages = admin.http.get(f"{admin.url}/admin/messages").text
    assert "+31*******22" in messages and "d***@example.nl" in messages
    assert "06******22" in messages  # the number inside the text, masked
    conversations = admin.http.get(f"{admin.url}/admin/conversations").text
    assert "+31*******66" in conversations and "STOP" in conversations
    assert "which appointment to cancel: 501, 503" in conversations


def test_message_texts_are_escaped(admin: Admin, redis: Redis) -> None:
    MessageLog(redis, 3600).open(
        MessageRecord("9:reminder:1d:1:sms", "9:reminder:1d:1", 9, "reminder", "sms", PHONE,
                      "sent", text="<script>alert(1)</script>"),
        datetime.now(UTC))
    admin.login()
    html = admin.http.get(f"{admin.url}/admin/messages").text
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_logout_needs_csrf_and_ends_the_session(admin: Admin) -> None:
    admin.login()
    page = admin.http.get(f"{admin.url}/admin/").text
    assert admin.http.post(f"{admin.url}/admin/logout", data={"csrf": ""}).status_code == 403
    out = admin.http.post(f"{admin.url}/admin/logout", data={"csrf": csrf_of(page)})
    assert out.status_code == 303 and out.headers["location"] == "./login"
    assert admin.http.get(f"{admin.url}/admin/").status_code == 303


def test_a_broken_operator_template_shows_its_error(start_admin: StartAdmin,
                                                    tmp_path: Path) -> None:
    (tmp_path / "nl").mkdir()
    (tmp_path / "en").mkdir()
    (tmp_path / "nl" / "reminder.sms.j2").write_text("Hallo {{ no_such_name }}")
    (tmp_path / "en" / "cancelled.sms.j2").write_text("{% if %}")
    (tmp_path / "en" / "reply_help.sms.j2").write_text("{{ 1 / 0 }}")
    admin = start_admin(OABRIDGE_TEMPLATES_DIR=str(tmp_path))
    admin.login()
    page = admin.http.get(f"{admin.url}/admin/templates")
    assert page.status_code == 200
    assert "nl/reminder.sms.j2" in page.text and "no_such_name" in page.text
    assert "en/cancelled.sms.j2, line 1: syntax error" in page.text
    assert "ZeroDivisionError" in page.text
    assert "GSM-7" in page.text  # every other preview still renders
    assert page.text.count('class="error"') == 3


def test_a_missing_template_folder_is_said_plainly(start_admin: StartAdmin,
                                                   tmp_path: Path) -> None:
    admin = start_admin(OABRIDGE_TEMPLATES_DIR=str(tmp_path / "nowhere"))
    admin.login()
    page = admin.http.get(f"{admin.url}/admin/templates")
    assert page.status_code == 200 and "does not exist" in page.text
