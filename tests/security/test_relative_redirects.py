"""Finding 6 of #15: a redirect built from the `Host` header pointed to
`http://evil.example/admin/`.

Over real HTTP with a hostile `Host`: every redirect the operator page answers is
relative (no scheme, no host), the bare `/admin` and a trailing slash included.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import httpx
import pytest

from bridge.admin import auth
from tests.admin import conftest as admin_fixtures
from tests.admin.conftest import ADMIN_TOKEN, Admin

#: The operator page served over real HTTP (tests/admin's fixtures).
start_admin, admin = admin_fixtures.start_admin, admin_fixtures.admin
HOSTILE = {"Host": "evil.example", "X-Forwarded-Host": "evil.example"}


def relative(answer: httpx.Response) -> str:
    """The answer's Location, checked to name no scheme and no host."""
    assert answer.is_redirect, (answer.request.url, answer.status_code)
    location = answer.headers["location"]
    parts = urlsplit(location)
    assert not parts.scheme and not parts.netloc and "evil.example" not in location, location
    return location


@pytest.mark.parametrize(("path", "expected"), [
    ("/admin", "admin/"),
    ("/admin/", "./login?next="),
    ("/admin/messages", "./login?next=messages"),
])
def test_redirects_to_the_login_are_relative(admin: Admin, path: str, expected: str) -> None:
    answer = admin.http.get(admin.url + path, headers=HOSTILE)
    assert relative(answer) == expected


def test_the_bare_mount_leads_to_the_page_under_any_prefix(admin: Admin) -> None:
    followed = admin.http.get(f"{admin.url}/admin", follow_redirects=True)
    assert followed.url.path == "/admin/login" and followed.status_code == 200


def test_a_trailing_slash_is_not_redirected_to_another_host(admin: Admin) -> None:
    answer = admin.http.get(f"{admin.url}/admin/messages/", headers=HOSTILE)
    assert answer.status_code == 404 or "evil.example" not in relative(answer)


def test_redirects_after_login_logout_and_retry_are_relative(admin: Admin) -> None:
    login = admin.http.post(f"{admin.url}/admin/login", headers=HOSTILE,
                            data={"token": ADMIN_TOKEN, "next": "failed"})
    assert relative(login) == "./failed"
    assert auth.COOKIE in admin.http.cookies
    page = admin.http.get(f"{admin.url}/admin/failed", headers=HOSTILE).text
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
    assert found
    retry = admin.http.post(f"{admin.url}/admin/retry", headers=HOSTILE,
                            data={"csrf": found.group(1), "queue": "sync", "job_id": "x"})
    assert relative(retry) == "./failed?missing=x"
    logout = admin.http.post(f"{admin.url}/admin/logout", headers=HOSTILE,
                             data={"csrf": found.group(1)})
    assert relative(logout) == "./login"


@pytest.mark.parametrize("path", ["/healthz/", "/metrics/", "/openapi.json/",
                                  "/webhooks/booking/", "/triggers/poll/", "/twilio/inbound/"])
def test_no_ingress_path_redirects_to_the_host_header(admin: Admin, path: str) -> None:
    """A trailing slash on an ingress route is a 404, not a redirect built from `Host`."""
    for method in ("GET", "POST"):
        answer = admin.http.request(method, admin.url + path, headers=HOSTILE)
        assert "evil.example" not in answer.headers.get("location", ""), (method, path)
        assert answer.status_code == 404, (method, path, answer.status_code)
