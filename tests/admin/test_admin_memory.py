"""The overview shows the bridge's memory: none yet, kept, recovering after Redis forgot
(in red), or recovered."""

from __future__ import annotations

from datetime import UTC, datetime

from redis import Redis

from bridge.store.epoch import EPOCH, Epochs, new_epoch
from tests.admin.conftest import Admin

LOST = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)


def memory(admin: Admin) -> str:
    page = admin.http.get(f"{admin.url}/admin/").text
    card = page[page.index("memory") - 120:page.index("memory")]
    return card.rsplit("<b", 1)[1]


def test_the_memory_card(admin: Admin, redis: Redis) -> None:
    admin.login()
    assert memory(admin).endswith(">none</b>")
    epochs = Epochs(redis)
    epoch, _ = epochs.begin(new_epoch(LOST, lost=True))
    assert memory(admin) == ' class="error">recovering</b>'
    epochs.end_recovery(epoch, LOST)
    assert memory(admin) == ">recovered</b>"
    redis.delete(EPOCH)
    epochs.begin(new_epoch(LOST, lost=False))
    assert memory(admin) == ">kept</b>"
