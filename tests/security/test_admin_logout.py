"""Finding 6 of #15: logging out of the operator page did not end the session; a copy of
the cookie stayed valid for 12 hours.

Over real HTTP and the suite's Redis: after logout a copy of the cookie opens nothing,
on this replica or another; changing the admin token still ends every session; CSRF
still guards the logout and the other forms.
"""

from __future__ import annotations

import re

import httpx

from bridge.admin import auth
from tests.admin import conftest as admin_fixtures
from tests.admin.conftest import ADMIN_TOKEN, Admin, StartAdmin

#: The operator page served over real HTTP (tests/admin's fixture).
start_admin = admin_fixtures.start_admin


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def opens(admin: Admin, cookie: str) -> bool:
    """Whether `cookie` opens a page and may post a form on `admin`."""
    with httpx.Client(cookies={auth.COOKIE: cookie}) as http:
        page = http.get(f"{admin.url}/admin/messages")
        posted = http.post(f"{admin.url}/admin/retry", data={"csrf": "", "job_id": "x"})
    return page.status_code == 200 and posted.status_code != 401


def test_logout_ends_the_session_for_every_copy_of_the_cookie(
    start_admin: StartAdmin,
) -> None:
    admin, replica = start_admin(), start_admin()
    admin.login()
    cookie = admin.http.cookies[auth.COOKIE]
    page = admin.http.get(f"{admin.url}/admin/").text
    assert opens(admin, cookie) and opens(replica, cookie)
    refused = admin.http.post(f"{admin.url}/admin/logout", data={"csrf": "0" * 64})
    assert refused.status_code == 403 and opens(admin, cookie)  # CSRF guards the logout
    done = admin.http.post(f"{admin.url}/admin/logout", data={"csrf": csrf_of(page)})
    assert done.status_code == 303 and done.headers["location"] == "./login"
    assert not opens(admin, cookie) and not opens(replica, cookie)


def test_a_new_admin_token_ends_every_session(start_admin: StartAdmin) -> None:
    before = start_admin()
    before.login()
    cookie = before.http.cookies[auth.COOKIE]
    after = start_admin(OABRIDGE_ADMIN_TOKEN=ADMIN_TOKEN + "-rotated")
    assert opens(before, cookie) and not opens(after, cookie)
