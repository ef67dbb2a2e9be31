"""Finding 3 of #15: masking covers the whole recipient field.

A message logged (by an earlier release) to a field holding several addresses is shown
by `oabridge messages` and on the operator page with every address in it masked, and
nothing else of the field (no display name).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from redis import Redis

from bridge.cli.main import main
from bridge.observability.masking import mask_email
from bridge.store.message_log import MessageLog, MessageRecord
from tests.admin import conftest as admin_fixtures
from tests.admin.conftest import Admin

#: The operator page served over real HTTP (tests/admin's fixtures).
start_admin, admin = admin_fixtures.start_admin, admin_fixtures.admin

FIELD = "Vera Victim <victim@example.com>, attacker@evil.example"
IN_FULL = ("victim@example.com", "attacker@evil.example", "Vera Victim", "attacker@")


def logged(redis: Redis) -> None:
    log = MessageLog(redis, 3600)
    now = datetime.now(UTC)
    log.open(MessageRecord("k:email", "k", 30012003, "reminder", "email", FIELD, "claimed"),
             now)
    log.advance("k:email", "sent", now)


@pytest.mark.parametrize("field", [FIELD, "victim@example.com\r\nBcc: attacker@evil.example"])
def test_mask_email_masks_every_address(field: str) -> None:
    shown = mask_email(field)
    assert shown == "v***@example.com, a***@evil.example"
    assert not [part for part in IN_FULL if part in shown]


def test_oabridge_messages_masks_the_whole_field(
    monkeypatch: pytest.MonkeyPatch, redis: Redis, redis_url: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("OABRIDGE_REDIS_URL", redis_url)
    logged(redis)
    assert main(["messages"]) == 0
    out = capsys.readouterr().out
    assert "v***@example.com, a***@evil.example" in out
    assert not [part for part in IN_FULL if part in out]


def test_the_operator_page_masks_the_whole_field(admin: Admin, redis: Redis) -> None:
    logged(redis)
    admin.login()
    html = admin.http.get(f"{admin.url}/admin/messages").text
    assert "v***@example.com, a***@evil.example" in html
    assert not [part for part in IN_FULL if part in html]
