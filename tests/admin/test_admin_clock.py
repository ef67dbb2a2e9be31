"""The operator page on the app's clock: a manual clock years before the wall clock.

A session is issued and aged on that clock, and an appointment is "open" on the
conversations page when it starts after that clock's now, whatever the wall clock says.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from redis import Redis

from bridge.admin import auth
from bridge.clock import ManualClock
from bridge.store.conversations import Conversations
from tests.admin.conftest import PHONE, StartAdmin

THEN = datetime(2021, 6, 1, 9, 0, tzinfo=UTC)
#: Two days after the manual clock's now: open then, long past on the wall clock.
START = THEN + timedelta(days=2)


def test_a_session_is_issued_and_aged_on_the_apps_clock(start_admin: StartAdmin) -> None:
    clock = ManualClock(THEN)
    admin = start_admin(clock=clock)
    admin.login()
    # Years old on the wall clock, new on the app's.
    assert admin.http.get(f"{admin.url}/admin/messages").status_code == 200
    clock.advance(timedelta(seconds=auth.SESSION_SECONDS))
    assert admin.http.get(f"{admin.url}/admin/messages").status_code == 200
    clock.advance(timedelta(seconds=1))
    assert admin.http.get(f"{admin.url}/admin/messages").status_code == 303  # expired


def test_open_appointments_are_those_after_the_apps_now(start_admin: StartAdmin,
                                                       redis: Redis) -> None:
    Conversations(redis, 3600).remember(PHONE, 501, "reminder", START, THEN)
    on_the_wall = start_admin()
    on_the_wall.login()
    page = on_the_wall.http.get(f"{on_the_wall.url}/admin/conversations").text
    assert "501 at" not in page  # started years ago, as the wall clock sees it
    back_then = start_admin(clock=ManualClock(THEN))
    back_then.login()
    page = back_then.http.get(f"{back_then.url}/admin/conversations").text
    local = START.astimezone(back_then.settings.tz).strftime("%Y-%m-%d %H:%M")
    assert f"501 at {local}" in page
